import Kafka
import Logging

/// What one slice knows about its time, like Lambda's context: the deadline, the time
/// remaining, and whether it has been asked to hand the job on early.
public struct SliceContext: Sendable {
    public let slice: Int
    /// When the slice's budget ends.
    public let deadline: ContinuousClock.Instant
    /// Loops stop starting new work this long before the deadline, so the hand-off
    /// (republish, acknowledgement) fits inside the budget.
    public let safetyMargin: Duration
    public let stop: StopSignal
    public var logger: Logger
    /// The slice's message may have been run before (after a rebalance or a restart)
    /// with effects its envelope does not record: nothing may be resumed blindly.
    public var mayBeRedelivered = false
    /// The slice's message, which the records it produces name as their source (nil in
    /// unit tests of a stage alone).
    public var message: KafkaMessage?
    /// Produces `job` to the jobs topic as the slice's publish intent and returns once the
    /// broker acknowledged it, without ending the slice; throws when it was not
    /// acknowledged. ``SliceRunner`` provides it; the default refuses, so that nothing
    /// calls `publishData` without a recorded intent.
    public var recordPublishIntent: @Sendable (JobEnvelope) async throws -> Void = { _ in throw PublishIntentUnrecorded() }

    public init(slice: Int, budget: Duration, safetyMargin: Duration, stop: StopSignal, logger: Logger) {
        self.slice = slice
        self.deadline = .now + budget
        self.safetyMargin = safetyMargin
        self.stop = stop
        self.logger = logger
    }

    public var remainingTime: Duration { deadline - .now }

    /// The instant work loops must have stopped by.
    public var workDeadline: ContinuousClock.Instant { deadline - safetyMargin }

    public var isStopRequested: Bool { stop.reason != nil }

    /// True when the slice must stop and hand the job on.
    public var shouldHandOff: Bool { isStopRequested || ContinuousClock.now >= workDeadline }

    /// Waits `duration` (a poll interval), waking early if a stop is requested. Returns
    /// false when the slice should hand off instead of doing more work afterwards.
    public func pause(for duration: Duration) async -> Bool {
        let wakeAt = ContinuousClock.now + duration
        guard wakeAt < workDeadline, !isStopRequested, !Task.isCancelled else { return false }
        // One shared timer thread, not a sleeping task per waiting slice (issue 10).
        await PauseTimer.shared.sleep(until: wakeAt, stop: stop)
        // A cancelled slice (its partition lost) returns from the timer at once: without
        // this check a loop of pauses would spin until the deadline.
        return !shouldHandOff && !Task.isCancelled
    }
}

/// No way to record a publish intent was given to the slice: `publishData` is not called.
struct PublishIntentUnrecorded: Error, CustomStringConvertible {
    var description: String { "no publish intent could be recorded in this slice" }
}
