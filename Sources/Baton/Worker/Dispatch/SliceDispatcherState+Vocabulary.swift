import Foundation
import Kafka

/// The vocabulary of ``SliceDispatcherState``: what goes in (slice ends, job references)
/// and what comes out (actions), and the lifecycle it reports.
extension SliceDispatcherState {
    /// Why the dispatcher is draining.
    public enum Drain: Sendable, Equatable {
        /// SIGTERM/SIGINT: hand every job on, commit, stop.
        case shutdown
        /// The producer failed for good: nothing more can be handed on, so stop without
        /// committing past anything unacknowledged, and exit non-zero.
        case producerFailed(String)
    }

    public enum Lifecycle: Sendable, Equatable {
        case running
        case draining(Drain)
        case stopped(Drain)
    }

    /// How a slice (or a waiting job) ended.
    public enum SliceEnd: Sendable, Equatable {
        /// Its continuation was acknowledged; the job continues with `slices + 1` (one more
        /// after a publish intent: ``SliceDispatcherState/publishIntent(_:slices:)``).
        case handedOn
        /// A job waiting out its `notBefore` was handed back unchanged (same `slices`, on a
        /// rebalance or shutdown) and that copy was acknowledged: the job continues from the
        /// copy, which must run when it reaches this worker again.
        case handedBack
        /// Its terminal records (dead letter, outcome) were acknowledged, or it produced
        /// nothing by design (a duplicate collapsed, an unreadable message dead-lettered).
        case finished
        /// It ended without its outputs acknowledged: the message must be redelivered.
        case abandoned
        /// As `abandoned`, because the producer failed fatally (the text says how).
        case producerFailed(String)
    }

    /// Why fetching is paused; it resumes when no reason is left.
    public enum PauseReason: Sendable, Hashable {
        /// Every slot is busy.
        case slotsFull
        /// Birst or S3 is unusable for every job (bad credentials, unreachable).
        case environment
        /// Draining: nothing new is taken.
        case draining
    }

    public enum Action: Sendable, Equatable {
        /// Run a slice of the message now (it holds a slot).
        case start(Ticket)
        /// The message is a stale or duplicate copy of its job (whose newest known state
        /// has run `newest` slices): produce nothing; it is already counted done.
        case skip(Ticket, newest: Int)
        /// The job waits out its `notBefore`; call ``delayElapsed(_:)`` at that time.
        case wake(Ticket, at: Date)
        /// Ask these slices (and waiting jobs) to hand their jobs on at a safe point.
        case stop([Ticket], StopSignal.Reason)
        /// Cut these slices off now; they must produce nothing more.
        case cancel([Ticket])
        /// A newer copy of this slice's job arrived (later in the same partition): the
        /// slice redoes work that already ran, so cut it off now; it must produce nothing
        /// more, and its offset counts as done however it ends.
        case supersede(Ticket)
        /// Forget these messages: they never ran and never will here.
        case drop([Ticket])
        /// Commit ``pendingCommits()`` (the watermark moved).
        case commit
        /// These partitions are handed over: commit `offsets` (may be empty), then let
        /// the rebalance proceed.
        case release([TopicPartition], offsets: [TopicPartition: Int64])
        case pauseFetching
        case resumeFetching
        /// Draining is over: commit what is pending, close, exit (non-zero after a
        /// producer failure).
        case drained(Drain)
    }

    /// What the dispatcher needs of a decoded job: its lineage key and slice count.
    public struct JobRef: Sendable, Equatable {
        public var key: String
        public var slices: Int

        public init(key: String, slices: Int) {
            self.key = key
            self.slices = slices
        }
    }
}
