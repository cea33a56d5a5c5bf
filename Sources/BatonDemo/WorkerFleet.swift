import Foundation
import Subprocess
import Synchronization

/// The demo's `baton worker` processes: started together, stopped together (SIGTERM,
/// each given `stopGrace` before SIGKILL), each with its own log file.
final class WorkerFleet: Sendable {
    private let workers = Mutex<[WorkerProcess]>([])

    var running: [WorkerProcess] { workers.withLock { $0 } }

    func add(_ worker: WorkerProcess) {
        workers.withLock { $0.append(worker) }
    }

    /// Waits (at most `timeout`) until every worker's log says it got partitions of the
    /// jobs topic: then the group has formed and published jobs start right away.
    func waitUntilAssigned(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let joined = running.allSatisfy { worker in
                ((try? String(contentsOfFile: worker.logPath, encoding: .utf8)) ?? "").contains("\"partitions assigned\"")
            }
            if joined { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Stops every worker at once and waits for all of them.
    func stopAll() async -> [WorkerProcess.Ending] {
        let all = running
        return await withTaskGroup(of: WorkerProcess.Ending.self) { group in
            for worker in all { group.addTask { await worker.stop() } }
            var endings: [WorkerProcess.Ending] = []
            for await ending in group { endings.append(ending) }
            return endings.sorted { $0.name < $1.name }
        }
    }

    /// SIGKILL to every worker still running (the impatient second Ctrl-C); returns how
    /// many there were.
    func killAll() -> Int {
        running.filter { $0.kill() }.count
    }
}
