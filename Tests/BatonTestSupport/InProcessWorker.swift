import Baton
import Logging
import ServiceLifecycle
import Synchronization

/// A worker running inside this process (a test's or the benchmark's), stopped the way
/// SIGTERM would stop it.
public final class InProcessWorker: Sendable {
    private final class Flag: Sendable {
        let value = Mutex(false)
    }

    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let ended = Flag()

    public init(configuration: BatonConfiguration, id: String, logger: Logger) throws {
        let group = try WorkerService.serviceGroup(configuration: configuration, workerID: id, logger: logger)
        self.group = group
        let ended = self.ended
        task = Task {
            defer { ended.value.withLock { $0 = true } }
            try await group.run()
        }
    }

    /// True while the service has not ended (it ends only on shutdown or a crash).
    public var isRunning: Bool { !ended.value.withLock { $0 } }

    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
