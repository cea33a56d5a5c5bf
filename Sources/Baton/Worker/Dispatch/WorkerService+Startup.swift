import Logging
import ServiceLifecycle
import UnixSignals

extension WorkerService {
    /// The start-up check: Birst login and S3 access, before joining the group. On a
    /// fault it says what is wrong and waits, re-checking, until it clears; false when
    /// the worker is shut down meanwhile, also in the middle of a check (a Birst that
    /// never answers holds a check for `birst.callTimeout`).
    func environmentReady() async throws -> Bool {
        // Not usable until the check passes: a metrics sidecar's /readyz reads this gauge.
        WorkerMetrics.environment(healthy: false)
        let recheck = configuration.worker.environmentRecheck
        logger.info("start-up check: logging in to Birst and reading S3", metadata: [
            "timeoutSeconds": "\(configuration.birst.callTimeout.seconds)",
        ])
        do {
            try await cancelWhenGracefulShutdown {
                let faults = await self.dependencies.preflight()
                try Task.checkCancellation()
                guard !faults.isEmpty else { return }
                for fault in faults {
                    self.logger.error("start-up check failed: \(fault); not joining the consumer group until it clears", metadata: [
                        "health": "unhealthy", "errorKind": "\(fault.kind)", "recheckSeconds": "\(recheck.seconds)",
                    ])
                }
                while true {
                    try await Task.sleep(for: recheck)
                    let faults = await self.dependencies.preflight()
                    try Task.checkCancellation()
                    if faults.isEmpty {
                        self.logger.notice("start-up check passed: Birst login works and S3 is readable", metadata: ["health": "healthy"])
                        return
                    }
                }
            }
        } catch is CancellationError {
            logger.info("stopped before the start-up check passed")
            return false
        }
        WorkerMetrics.environment(healthy: true)
        return true
    }

    /// The worker in a service group, built from the configuration: what `baton worker`
    /// runs (with signals), and what benchmarks and tests run in-process (without; they
    /// trigger the graceful shutdown themselves). The worker returning ends the group.
    public static func serviceGroup(
        configuration: BatonConfiguration, workerID: String?, logger: Logger, signals: [UnixSignal] = []
    ) throws -> ServiceGroup {
        let dependencies = try WorkerDependencies.make(configuration: configuration, workerID: workerID, logger: logger)
        let worker = WorkerService(configuration: configuration, dependencies: dependencies, logger: logger)
        return ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: signals,
            logger: logger
        ))
    }
}
