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
        return nil
    }
}
