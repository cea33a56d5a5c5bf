import Foundation

/// One record about a job (`baton jobs show`): a message on the jobs topic, a dead letter
/// or an outcome, with where it is and what it says.
public struct JobHistoryEntry: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The job as a producer published it.
        case new
        /// A worker handed the job on (`baton-handoff` says why).
        case continuation
        /// A copy `baton replay` made (`replayedFrom` says of what).
        case replay
        case deadLetter = "dead-letter"
        case outcome
    }

    public var kind: Kind
    /// Where the record is.
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// The record's timestamp.
    public var timestamp: Date?
    /// From the envelope (jobs and dead letters; `slices` also from outcomes).
    public var stage: JobStage?
    public var slices: Int?
    public var retriesLeft: Int?
    public var notBefore: Date?
    /// `baton-handoff`: why a worker handed the job on.
    public var handoff: String?
    /// `baton-worker`, or the outcome's worker.
    public var worker: String?
    /// `baton-error-kind` of a dead letter, or the outcome's error kind.
    public var errorKind: String?
    /// `baton-error` of a dead letter, or the outcome's message.
    public var message: String?
    /// The outcome's status (completed, failed, dead-lettered, superseded, unconfirmed, unrouted, skipped).
    public var status: String?
    /// `baton-replays` and `baton-replayed-from` of a replayed job's records.
    public var replays: Int?
    public var replayedFrom: String?
    /// The message whose run produced an outcome (`baton-source`) or a dead letter
    /// (`baton-dlq-source`): topic/partition/offset.
    public var source: String?
    /// From an envelope in stage notify: its outcome is recorded already (a notify retry).
    public var outcomeRecorded: Bool?
    /// The body was not a readable envelope or outcome record.
    public var unreadable: Bool?
}
