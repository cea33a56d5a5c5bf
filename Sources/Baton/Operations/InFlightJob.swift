import Foundation

/// A job in flight (`baton jobs`): its newest envelope on the jobs topic, which neither an
/// outcome covers nor the workers' group has committed past (``InFlightRule``).
public struct InFlightJob: Sendable, Hashable, Codable {
    /// The job id (the record key).
    public var jobId: String
    /// The report, as `s3://bucket/key`.
    public var report: String
    /// The stage its next slice runs.
    public var stage: JobStage
    /// `in-progress`, or `notifications-pending` for a notify retry not yet run.
    public var state: JobState
    /// The outcome already recorded (completed, failed, …) when notifications are pending.
    public var outcomeStatus: String?
    /// Slices run so far.
    public var slices: Int
    /// Slices it may still hand on before it is dead-lettered as retries-exhausted.
    public var retriesLeft: Int
    /// When the job was created (the envelope's `createdAt`).
    public var createdAt: Date
    /// Seconds since `createdAt`, when the list was made.
    public var ageSeconds: Double
    /// `baton-worker` of the newest message (nil for a job no worker has handed on yet).
    public var lastWorker: String?
    /// Why the newest message was produced (`baton-handoff`), if a worker produced it.
    public var handoff: String?
    /// The job waits until then before its next slice.
    public var notBefore: Date?
    /// The kind of the last transient error (`lastError.kind`), e.g. `birst-transient`, `notify`.
    public var lastErrorKind: String?
    /// How often an operator replayed the job (`baton-replays`).
    public var replays: Int
    /// Where the newest message is: partition and offset on the jobs topic, and its
    /// broker timestamp.
    public var partition: Int32
    public var offset: Int64
    public var timestamp: Date?
}
