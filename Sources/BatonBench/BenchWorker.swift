import Baton
import Logging
import ServiceLifecycle
import Synchronization

/// A `WorkerService` running inside the bench process, stopped the way SIGTERM stops one.
final class BenchWorker: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(configuration: BatonConfiguration, id: String, logger: Logger) throws {
        let group = try WorkerService.serviceGroup(configuration: configuration, workerID: id, logger: logger)
        self.group = group
        task = Task { try await group.run() }
    }

    /// Graceful shutdown: slices cut short and handed on, offsets committed, group left.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// A CSV-looking report of exactly `size` bytes whose rows depend on `label`, so two
/// reports with different labels never share content.
func sampleReport(size: Int, label: String) -> [UInt8] {
    var bytes = Array("id,key,value\n".utf8)
    var row = 0
    while bytes.count < size {
        bytes += Array("\(row),\(label),\(row &* 2_654_435_761 % 1_000_003)\n".utf8)
        row += 1
    }
    return Array(bytes.prefix(size))
}

/// A wait that took longer than the benchmark allows (a hang, not a slow figure).
struct BenchTimeout: Error, CustomStringConvertible {
    var what: String
    var seconds: Double
    var description: String { "\(what) took more than \(seconds) s" }
}

/// Runs `operation`, failing with ``BenchTimeout`` after `seconds`: a benchmark must not
/// hang on a stuck broker. The limits are generous; figures are never compared with them.
func withTimeout<T: Sendable>(
    _ seconds: Double, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            throw BenchTimeout(what: what, seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
