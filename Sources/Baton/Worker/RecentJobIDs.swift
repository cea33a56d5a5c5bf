import Synchronization

/// Job ids of new jobs this worker has started recently. S3 delivers events at least
/// once and job ids are derived from the object version, so a second new-job message
/// with a known id is a duplicate delivery: it collapses here instead of uploading and
/// publishing the same report twice. Bounded; oldest ids are forgotten first.
public final class RecentJobIDs: Sendable {
    private struct State {
        var ids: Set<String> = []
        var order: [String] = []
        var head = 0
    }

    private let state = Mutex(State())
    private let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// True if `id` is new (and now remembered); false if it was seen recently.
    public func insert(_ id: String) -> Bool {
        state.withLock { state in
            guard state.ids.insert(id).inserted else { return false }
            state.order.append(id)
            if state.order.count - state.head > capacity {
                state.ids.remove(state.order[state.head])
                state.head += 1
                if state.head > capacity {
                    state.order.removeFirst(state.head)
                    state.head = 0
                }
            }
            return true
        }
    }
}
