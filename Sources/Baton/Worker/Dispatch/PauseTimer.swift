import HeapModule
import Dispatch
import Foundation
import Synchronization

/// Wakes pausing slices and jobs waiting out their `notBefore`, all of them from one
/// thread. A pause costs a heap entry and a continuation, where a task group with a sleeping
/// child and a stop-waiting child cost two tasks per waiting job (issue 10: a worker holding
/// 20,000 polling jobs).
///
/// A sleeper wakes at its instant, when its ``StopSignal`` fires, or when its task is
/// cancelled, whichever comes first; each wakes exactly once.
final class PauseTimer: Sendable {
    /// The worker's timer: its thread starts with the first pause.
    static let shared = PauseTimer()

    private struct Due: Comparable, Sendable {
        var at: ContinuousClock.Instant
        var id: UInt64
        static func < (a: Due, b: Due) -> Bool { (a.at, a.id) < (b.at, b.id) }
    }

    private struct State {
        /// Wake-up times, earliest first (swift-collections' `Heap`); an entry whose sleeper has already woken
        /// (stop or cancellation) stays until its time and is then skipped.
        var heap = Heap<Due>()
        var sleepers: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
        var threadStarted = false
    }

    private let state = Mutex(State())
    /// Signalled when a sleeper due earlier than the thread's current wait arrives.
    private let wakeThread = DispatchSemaphore(value: 0)

    /// Returns at `instant`, once `stop` fires, or once the calling task is cancelled.
    func sleep(until instant: ContinuousClock.Instant, stop: StopSignal) async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let stopAction = stop.onFire { [self] in wake(id) }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let (now, startThread, signal) = state.withLock { state -> (Bool, Bool, Bool) in
                    if Task.isCancelled || stop.reason != nil || instant <= .now { return (true, false, false) }
                    let earliest = state.heap.min?.at
                    state.sleepers[id] = continuation
                    state.heap.insert(Due(at: instant, id: id))
                    let start = !state.threadStarted
                    state.threadStarted = true
                    return (false, start, earliest.map { instant < $0 } ?? true)
                }
                if now { continuation.resume() }
                if startThread { startTheThread() }
                if signal { wakeThread.signal() }
            }
        } onCancel: {
            wake(id)
        }
        if let stopAction { stop.removeAction(stopAction) }
    }

    /// Resumes sleeper `id` now, if it still sleeps.
    private func wake(_ id: UInt64) {
        state.withLock { $0.sleepers.removeValue(forKey: id) }?.resume()
    }

    private func startTheThread() {
        let thread = Thread { [self] in run() }
        thread.name = "baton-pauses"
        thread.start()
    }

    private func run() {
        while true {
            let (due, next) = state.withLock { state -> ([CheckedContinuation<Void, Never>], ContinuousClock.Instant?) in
                let now = ContinuousClock.now
                var due: [CheckedContinuation<Void, Never>] = []
                while let first = state.heap.min, first.at <= now {
                    _ = state.heap.popMin()
                    if let sleeper = state.sleepers.removeValue(forKey: first.id) { due.append(sleeper) }
                }
                return (due, state.heap.min?.at)
            }
            for sleeper in due { sleeper.resume() }
            if let next {
                // At most an hour per wait: the thread looks again then, and a wait of
                // centuries (a hostile notBefore) cannot overflow the nanoseconds below.
                let wait = min(next - .now, .seconds(3600))
                if wait > .zero {
                    let nanoseconds = wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000
                    _ = wakeThread.wait(timeout: .now() + .nanoseconds(Int(max(nanoseconds, 1))))
                }
            } else {
                wakeThread.wait()
            }
        }
    }
}
