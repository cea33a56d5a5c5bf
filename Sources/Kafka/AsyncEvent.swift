import Synchronization

/// A one-shot event: `wait()` suspends until `signal()` has been called (once or more).
final class AsyncEvent: Sendable {
    private enum State {
        case pending([CheckedContinuation<Void, Never>])
        case signalled
    }

    private let state = Mutex(State.pending([]))

    func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard case .pending(let waiters) = state else { return [] }
            state = .signalled
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var isSignalled: Bool {
        state.withLock { if case .signalled = $0 { true } else { false } }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                switch state {
                case .signalled:
                    return true
                case .pending(var waiters):
                    waiters.append(continuation)
                    state = .pending(waiters)
                    return false
                }
            }
            if resumeNow { continuation.resume() }
        }
    }
}
