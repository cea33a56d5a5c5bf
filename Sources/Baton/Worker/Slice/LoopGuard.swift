import Foundation

/// Why a job must not run another slice: the three limits that keep a job from looping
/// forever (DESIGN.md §4). Checked before every slice of unfinished work.
public struct LoopGuard: Sendable {
    public var maxJobAge: Duration
    public var maxSlices: Int

    public init(maxJobAge: Duration, maxSlices: Int) {
        self.maxJobAge = maxJobAge
        self.maxSlices = maxSlices
    }

    public init(_ settings: WorkerSettings) {
        self.init(maxJobAge: settings.maxJobAge, maxSlices: settings.maxSlices)
    }

    public func violation(_ job: JobEnvelope, now: Date) -> (kind: DeadLetterKind, reason: String)? {
        if job.retriesLeft <= 0 { return (.retriesExhausted, "no retries left after \(job.slices) slices (stage \(job.stage.rawValue))") }
        let age = now.timeIntervalSince(job.createdAt)
        if age > maxJobAge.seconds {
            return (.tooOld, "job is \(Int(age)) s old; the limit is \(ConfigDuration.format(maxJobAge))")
        }
        if job.slices >= maxSlices { return (.tooManySlices, "\(job.slices) slices; the limit is \(maxSlices)") }
        if let notBefore = job.notBefore, !isWorthWaiting(for: notBefore, job) {
            return (.tooOld, "notBefore \(Timestamp.format(notBefore)) is later than createdAt + \(ConfigDuration.format(maxJobAge)): the job would be too old before it may run")
        }
        return nil
    }

    /// The `notBefore` the dispatcher waits out, or nil when the job would be too old by
    /// then (later than `createdAt + maxJobAge`): such a job runs at once, and
    /// ``violation(_:now:)`` ends it, instead of holding its partition's commits back.
    public func notBeforeToWaitFor(_ job: JobEnvelope) -> Date? {
        guard let notBefore = job.notBefore, isWorthWaiting(for: notBefore, job) else { return nil }
        return notBefore
    }

    private func isWorthWaiting(for notBefore: Date, _ job: JobEnvelope) -> Bool {
        notBefore.timeIntervalSince(job.createdAt) <= maxJobAge.seconds
    }
}
