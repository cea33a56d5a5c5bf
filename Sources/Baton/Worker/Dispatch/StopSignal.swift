import Synchronization

/// A one-shot signal: shutdown or a rebalance asks running slices to hand their job on
/// at the next safe point. Waiters wake at once; later waiters return immediately.
public final class StopSignal: Sendable {
    public enum Reason: String, Sendable {
        case shutdown
        case rebalance
    }

    private struct State {
        var reason: Reason?
        /// What runs when the signal fires: waiting continuations and ``onFire(_:)``'s actions.
        var waiters: [Int: @Sendable () -> Void] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var reason: Reason? { state.withLock { $0.reason } }

    public func fire(_ reason: Reason) {
        let waiters = state.withLock { state -> [@Sendable () -> Void] in
            guard state.reason == nil else { return [] }
            state.reason = reason
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter() }
    }

    /// Runs `action` when the signal fires, on the firing thread. Returns its handle for
    /// ``removeAction(_:)``, or nil (and never runs it) when the signal has already fired.
    func onFire(_ action: @escaping @Sendable () -> Void) -> Int? {
        state.withLock { state -> Int? in
            guard state.reason == nil else { return nil }
            state.nextID += 1
            state.waiters[state.nextID] = action
            return state.nextID
        }
    }

    /// Continuations and actions waiting for the signal (for tests).
    var pendingActions: Int { state.withLock { $0.waiters.count } }

    /// Forgets an action ``onFire(_:)`` registered, so that a long slice pausing many times
    /// does not pile them up.
    func removeAction(_ id: Int) {
        _ = state.withLock { $0.waiters.removeValue(forKey: id) }
    }

    /// Returns once the signal fires, or when the calling task is cancelled.
    public func wait() async {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.reason != nil || Task.isCancelled { return true }
                    state.waiters[id] = { continuation.resume() }
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?()
        }
    }
}
