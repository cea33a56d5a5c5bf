import Foundation
import Synchronization

/// Progress lines put back into time order. The reader gets each partition's messages
/// in batches, so hand-offs of different jobs arrive slightly out of order; lines are
/// held for a moment and released sorted by the time the hand-off happened.
final class OrderedLines: Sendable {
    private struct Pending {
        var at: Date
        var sequence: Int
        var text: String
    }

    private let pending = Mutex<(lines: [Pending], sequence: Int)>(([], 0))
    /// How long a line is held back.
    let delay: TimeInterval

    init(delay: TimeInterval = 0.5) {
        self.delay = delay
    }

    func add(_ text: String, at: Date) {
        pending.withLock { state in
            state.sequence += 1
            state.lines.append(Pending(at: at, sequence: state.sequence, text: text))
        }
    }

    /// Lines that happened before `now - delay` (every line with `all`), in time order.
    func release(all: Bool = false, now: Date = Date()) -> [String] {
        let cutoff = all ? Date.distantFuture : now.addingTimeInterval(-delay)
        return pending.withLock { state in
            let due = state.lines.filter { $0.at < cutoff }
            state.lines.removeAll { $0.at < cutoff }
            return due.sorted { ($0.at, $0.sequence) < ($1.at, $1.sequence) }.map(\.text)
        }
    }
}
