import Baton
import Foundation
import Subprocess
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// One `baton worker` child process, its output in a log file. Started with
/// swift-subprocess, which resets the child's signal mask and dispositions (a
/// `Foundation.Process` child would inherit a mask that blocks SIGTERM). Stopped by
/// cancelling its task: swift-subprocess then sends SIGTERM, waits `stopGrace` and
/// only then sends SIGKILL.
final class WorkerProcess: Sendable {
    let name: String
    let logPath: String
    let pid: Int32
    private let task: Task<TerminationStatus?, Never>
    private let stopping: StopRequest

    /// How a worker ended, for the closing lines.
    struct Ending: Sendable {
        var name: String
        var status: TerminationStatus?
        var seconds: Double
        /// Its log says it stopped cleanly (handed its jobs on, committed, left the group).
        var stoppedGracefully: Bool
    }

    private init(name: String, logPath: String, pid: Int32, task: Task<TerminationStatus?, Never>, stopping: StopRequest) {
        self.name = name
        self.logPath = logPath
        self.pid = pid
        self.task = task
        self.stopping = stopping
    }

    /// Starts the worker; returns once it runs. `onUnexpectedExit` is told if it ends
    /// before ``stop()`` asked it to.
    static func start(
        name: String,
        executable: String,
        arguments: [String],
        environment: [String: String],
        logPath: String,
        stopGrace: Duration,
        onUnexpectedExit: @escaping @Sendable (String, TerminationStatus?) -> Void
    ) async throws -> WorkerProcess {
        let log = try FileDescriptor.open(
            FilePath(logPath), .writeOnly, options: [.create, .truncate],
            permissions: [.ownerReadWrite, .groupRead, .otherRead])
        var options = PlatformOptions()
        // Its own process group: Ctrl-C in the terminal reaches the demo, which stops
        // the workers in order, rather than every process at once.
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: stopGrace)]
        let configuration = Subprocess.Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: .custom(Dictionary(uniqueKeysWithValues: environment.compactMap { key, value in
                Environment.Key(rawValue: key).map { ($0, value) }
            })),
            platformOptions: options
        )
        let (started, startedContinuation) = AsyncStream<Result<Int32, any Error>>.makeStream()
        let stopping = StopRequest()
        let task = Task { () -> TerminationStatus? in
            do {
                let result = try await Subprocess.run(
                    configuration, input: .none, output: .fileDescriptor(log, closeAfterSpawningProcess: true),
                    error: .combinedWithOutput
                ) { execution in
                    startedContinuation.yield(.success(execution.processIdentifier.value))
                    startedContinuation.finish()
                }
                stopping.ended()
                if !stopping.isRequested { onUnexpectedExit(name, result.terminationStatus) }
                return result.terminationStatus
            } catch {
                startedContinuation.yield(.failure(error))
                startedContinuation.finish()
                stopping.ended()
                if !stopping.isRequested { onUnexpectedExit(name, nil) }
                return nil
            }
        }
        var pid: Int32?
        for await outcome in started {
            pid = try outcome.get()
        }
        guard let pid else { throw CancellationError() }
        return WorkerProcess(name: name, logPath: logPath, pid: pid, task: task, stopping: stopping)
    }

    /// SIGTERM, then up to `stopGrace` for a graceful stop, then SIGKILL.
    func stop() async -> Ending {
        let started = ContinuousClock.now
        stopping.request()
        task.cancel()
        let status = await task.value
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return Ending(
            name: name, status: status, seconds: (ContinuousClock.now - started).seconds,
            stoppedGracefully: log.contains("\"worker stopped\"")
        )
    }

    /// Ends it at once (a second Ctrl-C): SIGKILL to its process group. False if it had
    /// ended already.
    func kill() -> Bool {
        stopping.request()
        guard !stopping.hasEnded else { return false }
        return Glibc.kill(-pid, SIGKILL) == 0
    }

    /// Whether the demo asked the worker to stop (an exit after that is expected), and
    /// whether it has ended.
    private final class StopRequest: Sendable {
        private let requested = Atomic<Bool>(false)
        private let finished = Atomic<Bool>(false)
        var isRequested: Bool { requested.load(ordering: .acquiring) }
        var hasEnded: Bool { finished.load(ordering: .acquiring) }
        func request() { requested.store(true, ordering: .releasing) }
        func ended() { finished.store(true, ordering: .releasing) }
    }
}
