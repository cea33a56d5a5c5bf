import BatonTestSupport
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The `baton worker` processes of one chaos scenario, in one consumer group. Like a
/// deployment with a restart policy, ``supervise()`` replaces a worker that exited by
/// itself (e.g. after its producer was fenced). Every process ever started is kept, so
/// the audit can read (and scan) all of their logs.
final class ChaosFleet: Sendable {
    private let harness: EndToEndHarness
    private let state = Mutex<(live: [String: ChildProcess], everyone: [String: ChildProcess], started: Int, replaced: Int)>(([:], [:], 0, 0))
    private let supervisor = Mutex<Task<Void, Never>?>(nil)

    init(_ harness: EndToEndHarness) {
        self.harness = harness
    }

    /// Workers running now, by id.
    var live: [String: ChildProcess] { state.withLock { $0.live } }
    /// Every worker started so far, by id.
    var everyone: [String: ChildProcess] { state.withLock { $0.everyone } }
    /// Workers that exited by themselves and were replaced.
    var replaced: Int { state.withLock { $0.replaced } }

    /// Starts one more worker (`w1`, `w2`, … in start order); returns its id.
    @discardableResult
    func start() throws -> String {
        let id = state.withLock { state -> String in
            state.started += 1
            return "w\(state.started)"
        }
        let worker = try harness.spawnWorker(id)
        state.withLock {
            $0.live[id] = worker
            $0.everyone[id] = worker
        }
        return id
    }

    /// Starts `count` workers and waits until each has partitions.
    func start(_ count: Int, within seconds: Double = 60) async throws {
        let ids = try (0..<count).map { _ in try start() }
        try await awaitAssigned(ids, within: seconds)
    }

    /// Waits until each of `ids` has logged an assignment.
    func awaitAssigned(_ ids: [String], within seconds: Double = 60) async throws {
        let workers = everyone
        try await eventually(seconds, "workers \(ids) to get partitions", every: .milliseconds(200)) {
            ids.allSatisfy { workers[$0]?.hasAssignment == true }
        }
    }

    /// SIGKILL, as the OOM killer or a node loss would: no hand-off, no commit.
    func kill(_ id: String) {
        let worker = state.withLock { $0.live.removeValue(forKey: id) }
        worker?.kill()
    }

    /// SIGTERM, then waits for the exit (bounded); returns the exit status.
    func terminate(_ id: String, within seconds: Double = 30) async throws -> Int32 {
        guard let worker = state.withLock({ $0.live.removeValue(forKey: id) }) else { return -1 }
        worker.signal(SIGTERM)
        do {
            return try await worker.wait(timeout: .seconds(seconds))  // scaled by `wait`
        } catch {
            worker.kill()
            throw error
        }
    }

    /// Replaces, every 200 ms, each worker that exited by itself, until ``stop()``.
    func supervise() {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                let exited = self.live.filter { $0.value.exitStatus() != nil }.map(\.key)
                for id in exited {
                    self.state.withLock {
                        $0.live[id] = nil
                        $0.replaced += 1
                    }
                    _ = try? self.start()
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        supervisor.withLock { $0 = task }
    }

    /// Stops supervising, SIGTERMs every live worker and waits for them (bounded; a hung
    /// one is killed). Returns the exit status of each.
    @discardableResult
    func stop(within seconds: Double = 30) async -> [String: Int32] {
        if let task = supervisor.withLock({ value in defer { value = nil }; return value }) {
            task.cancel()
            await task.value
        }
        var statuses: [String: Int32] = [:]
        for id in live.keys.sorted() {
            statuses[id] = (try? await terminate(id, within: seconds)) ?? -1
        }
        return statuses
    }

    /// Kills whatever still runs (for `defer` after a failure).
    func killAll() {
        supervisor.withLock { $0?.cancel() }
        for id in live.keys { kill(id) }
    }
}
