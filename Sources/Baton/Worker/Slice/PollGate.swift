import Synchronization

/// Lets a limited number of Birst polls run at once; the others wait their turn in a
/// queue, each a continuation. A worker that takes over 20,000 jobs starts them all within
/// seconds and each polls at once: without a gate all of them built their SOAP exchange
/// together (several KiB each, waiting for one of libcurl's connections), and the process
/// kept that burst's memory for good (issue 10). The connections to Birst bound the poll
/// rate anyway, so the gate costs no throughput. A worker's gate is
/// ``SliceEnvironment/birstPolls``: twice `birst.maximumConnections`.
final class PollGate: Sendable {
    private struct State {
        var available: Int
        var order: [UInt64] = []
        var head = 0
        var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var nextID: UInt64 = 0

        /// Drops the ids already taken from the front of the queue once they are most of it.
        mutating func compact() {
            if head == order.count {
                order.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= order.count {
                order.removeFirst(head)
                head = 0
            }
        }
    }

    private let state: Mutex<State>

    init(limit: Int) {
        precondition(limit > 0)
        state = Mutex(State(available: limit))
    }

    /// Waits for a turn: true once the caller may poll (it must call ``leave()`` after),
    /// false when `stop` fired or the task was cancelled first (no turn taken).
    func enter(stop: StopSignal) async -> Bool {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let stopAction = stop.onFire { [self] in giveUp(id) }
        let entered = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now: Bool? = state.withLock { state in
                    if Task.isCancelled || stop.reason != nil { return false }
                    if state.available > 0 {
                        state.available -= 1
                        return true
                    }
                    state.waiters[id] = continuation
                    state.order.append(id)
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            giveUp(id)
        }
        if let stopAction { stop.removeAction(stopAction) }
        return entered
    }

    /// Ends a turn ``enter(stop:)`` gave: the next waiter, if any, takes it.
    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            while state.head < state.order.count {
                let id = state.order[state.head]
                state.head += 1
                if let waiter = state.waiters.removeValue(forKey: id) {
                    state.compact()
                    return waiter
                }
            }
            state.compact()
            state.available += 1
            return nil
        }
        next?.resume(returning: true)
    }

    private func giveUp(_ id: UInt64) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
    }
}
