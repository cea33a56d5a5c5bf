/// What this worker knows of each job's newest state, so that a stale copy of a job
/// never runs a second slice beside the current one.
///
/// Every message of a job carries `slices` (the slices run so far); the continuation a
/// slice produces carries one more. Redelivery (a restart, a rebalance, a message held
/// after a failed hand-off) brings back copies of messages whose slices already ran
/// here. A copy whose `slices` is below the newest known state of its job is stale; a
/// copy of the same state while that state's slice is running, or after it handed on,
/// is a duplicate. Both are skipped: committed past without producing anything. Jobs
/// keep their messages in one partition (keyed by job id), so one worker sees a job's
/// messages in order. Bounded: the oldest jobs are forgotten first.
///
/// The lineage only knows what this worker has seen. ``SliceDispatcherState`` adds what
/// it cannot know: a copy of a job whose slice is still running here waits for that
/// slice instead of asking the lineage (a duplicate may still have to run if that slice's
/// hand-off fails), a newer copy supersedes a running older one, and a new assignment's
/// backlog is read before anything of it starts, so a redelivered copy is known to be
/// stale when its continuation follows it.
public struct JobLineage: Sendable {
    /// What a message of a job means to this worker.
    public enum Verdict: Sendable, Equatable {
        /// Run it: it is the job's newest known state.
        case run
        /// Skip it: a newer state of the job exists (`newest` slices run), or the same
        /// state is already being run or was handed on.
        case skip(newest: Int)
    }

    private enum Mark: Sendable, Equatable {
        /// A message with this many slices was acknowledged on the topic (a hand-off
        /// produced it); not started here yet.
        case produced(Int)
        /// A slice of the message with this many slices is running, or ran and ended
        /// the job's part here (handed on, or a terminal outcome acknowledged).
        case started(Int)
        /// The job ended (an outcome was acknowledged); later copies are all stale.
        case finished

        var slices: Int {
            switch self {
            case .produced(let n), .started(let n): n
            case .finished: Int.max
            }
        }
    }

    private var marks: [String: Mark] = [:]
    private var order: [String] = []
    private var head = 0
    public let capacity: Int

    public init(capacity: Int = 100_000) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Decides whether a message of `jobId` that has run `slices` slices may start, and
    /// if so records it as started.
    public mutating func admit(jobId: String, slices: Int) -> Verdict {
        switch marks[jobId] {
        case nil:
            remember(jobId, .started(slices))
            return .run
        case .produced(let known)? where slices >= known, .started(let known)? where slices > known:
            marks[jobId] = .started(slices)
            return .run
        case let mark?:
            return .skip(newest: mark.slices)
        }
    }

    /// The slice of a message with `slices` handed the job on with `slices + 1`.
    public mutating func handedOn(jobId: String, slices: Int) {
        guard let mark = marks[jobId], mark != .finished, mark.slices <= slices + 1 else { return }
        marks[jobId] = .produced(slices + 1)
    }

    /// The message with `slices`, admitted but not run (it waited out its `notBefore`),
    /// was handed back unchanged: the copy carries the same `slices` and must run when it
    /// comes back. Recording it as handed on (`slices + 1`) would skip that copy as stale
    /// and lose the job once the original is committed past.
    public mutating func handedBack(jobId: String, slices: Int) {
        if marks[jobId] == .started(slices) { marks[jobId] = .produced(slices) }
    }

    /// The job's terminal outcome was acknowledged.
    public mutating func finished(jobId: String) {
        if marks[jobId] == nil { remember(jobId, .finished) } else { marks[jobId] = .finished }
    }

    /// The slice of a message with `slices` ended without its outputs acknowledged: the
    /// message will come back and must run then.
    public mutating func abandoned(jobId: String, slices: Int) {
        if marks[jobId] == .started(slices) { marks[jobId] = .produced(slices) }
    }

    /// Whether this worker has seen `jobId` end (its outcome acknowledged).
    public func isFinished(jobId: String) -> Bool {
        marks[jobId] == .finished
    }

    public var count: Int { marks.count }

    private mutating func remember(_ jobId: String, _ mark: Mark) {
        marks[jobId] = mark
        order.append(jobId)
        while marks.count > capacity, head < order.count {
            marks[order[head]] = nil
            head += 1
        }
        if head > capacity {
            order.removeFirst(head)
            head = 0
        }
    }
}
