import Foundation

/// How the Birst work ended; set when a job enters the notify stage, so notifications
/// can be retried without redoing (or forgetting) the work.
public struct JobResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Birst holds exactly the bytes of the object version the event named, and its
        /// processing finished.
        case completed
        /// Birst reported the upload or publish as Failed.
        case failed
        case deadLettered = "dead-lettered"
        /// No route takes the object.
        case unrouted
        /// Nothing to move: a folder marker (a zero-byte key ending in `/`), or an empty
        /// object on a route whose `emptyObjects` is `skip` (the default). `message` says which.
        case skipped
        /// The object changed under the job (its entity tag no longer matches the event's):
        /// the job's upload is abandoned unfinished, and the newer write's own event
        /// carries the work. Not a failure; nothing goes to the dead-letter topic.
        case superseded
        /// `publishData`'s answer was lost (past its deadline, or its slice cut off before
        /// the token was recorded): a publish may or may not have run, and Birst's API
        /// cannot say which. The job waited until the space was idle again and did not
        /// publish a second time; `message` says what the operator should check.
        case unconfirmed

        /// Every status's name, comma-separated, for messages that list them.
        public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
    }

    public var status: Status
    public var message: String?
    public var errorKind: String?
    public var finishedAt: Date
    /// Progress of the notify stage: each side effect happens once.
    public var outcomeRecorded: Bool
    public var emailSent: Bool
    public var webhookSent: Bool
    public var notifyAttempts: Int

    public init(status: Status, message: String? = nil, errorKind: String? = nil, finishedAt: Date = Date()) {
        self.status = status
        self.message = message
        self.errorKind = errorKind
        self.finishedAt = finishedAt
        self.outcomeRecorded = false
        self.emailSent = false
        self.webhookSent = false
        self.notifyAttempts = 0
    }
}
