import Foundation
import Logging

/// Whether Birst and S3 are usable for this worker. A slice that meets an
/// ``EnvironmentFault`` reports it here: the first report of a dependency logs one clear
/// error, tells the listener (the dispatcher pauses fetching), and starts re-checking
/// every `recheck` with a probe (a Birst login, an S3 GET) until the probe passes; then
/// the listener hears that the worker is healthy again and fetching resumes.
public actor EnvironmentHealth {
    /// Checks whether `fault` persists: the fault as it stands now, or nil once cleared.
    public typealias Probe = @Sendable (EnvironmentFault) async -> EnvironmentFault?

    private var failing: [EnvironmentFault.Dependency: EnvironmentFault] = [:]
    private var rechecks: [EnvironmentFault.Dependency: Task<Void, Never>] = [:]
    private var listener: (@Sendable (_ healthy: Bool) async -> Void)?
    private let probe: Probe
    private let recheck: Duration
    private let logger: Logger

    public init(recheck: Duration, logger: Logger, probe: @escaping Probe) {
        self.recheck = recheck
        self.logger = logger
        self.probe = probe
        WorkerMetrics.environment("birst", healthy: true)
        WorkerMetrics.environment("s3", healthy: true)
    }

    /// True while no dependency is known to be failing.
    public var isHealthy: Bool { failing.isEmpty }

    /// The faults in force now.
    public var faults: [EnvironmentFault] { failing.values.sorted { $0.kind < $1.kind } }

    /// Told `false` when the first dependency fails, `true` when the last one recovers.
    public func setListener(_ listener: @escaping @Sendable (_ healthy: Bool) async -> Void) {
        self.listener = listener
    }

    /// A slice met `fault`.
    public func failed(_ fault: EnvironmentFault) async {
        let dependency = fault.dependency
        guard failing[dependency] == nil else { return }
        let wasHealthy = failing.isEmpty
        failing[dependency] = fault
        WorkerMetrics.environment(dependency.rawValue, healthy: false)
        logger.error("\(fault); the worker is unhealthy: it takes no new jobs, hands its jobs on without spending retries, and re-checks every \(ConfigDuration.format(recheck))", metadata: [
            "health": "unhealthy", "dependency": "\(dependency.rawValue)", "errorKind": "\(fault.kind)",
        ])
        rechecks[dependency] = Task { [weak self] in await self?.recheckUntilCleared(dependency) }
        if wasHealthy { await listener?(false) }
    }

    /// Probes now, without waiting: nil when `fault` is gone (used before joining).
    public func check(_ fault: EnvironmentFault) async -> EnvironmentFault? {
        await probe(fault)
    }

    /// Stops re-checking (shutdown).
    public func shutdown() {
        for task in rechecks.values { task.cancel() }
        rechecks = [:]
    }

    private func recheckUntilCleared(_ dependency: EnvironmentFault.Dependency) async {
        var attempts = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: recheck)
            guard !Task.isCancelled, let fault = failing[dependency] else { return }
            attempts += 1
            if let still = await probe(fault) {
                failing[dependency] = still
                // Say it again now and then, not every few seconds.
                if attempts.isMultiple(of: 20) {
                    logger.error("still unhealthy: \(still)", metadata: ["health": "unhealthy", "dependency": "\(dependency.rawValue)", "checks": "\(attempts)"])
                }
                continue
            }
            failing[dependency] = nil
            rechecks[dependency] = nil
            WorkerMetrics.environment(dependency.rawValue, healthy: true)
            logger.notice("\(dependency.rawValue) works again; taking jobs", metadata: ["health": failing.isEmpty ? "healthy" : "unhealthy", "dependency": "\(dependency.rawValue)"])
            if failing.isEmpty { await listener?(true) }
            return
        }
    }
}
