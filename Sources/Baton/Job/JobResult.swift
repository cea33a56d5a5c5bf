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
    /// Fields of the object this version does not model, kept verbatim and written back: a newer producer and an older worker can
    /// then coexist during a rolling deploy (DESIGN.md §3).
    public var unknownFields: [String: JSONValue] = [:]

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

    private enum Field {
        static let status = AnyCodingKey("status"), message = AnyCodingKey("message"), errorKind = AnyCodingKey("errorKind")
        static let finishedAt = AnyCodingKey("finishedAt"), outcomeRecorded = AnyCodingKey("outcomeRecorded")
        static let emailSent = AnyCodingKey("emailSent"), webhookSent = AnyCodingKey("webhookSent"), notifyAttempts = AnyCodingKey("notifyAttempts")
        static let known: Set<String> = [
            "status", "message", "errorKind", "finishedAt", "outcomeRecorded", "emailSent", "webhookSent", "notifyAttempts",
        ]
    }

    /// Required (as when this type's coding was synthesized): a known `status`, `finishedAt`
    /// and the notify stage's progress; `message` and `errorKind` may be absent or null and
    /// are left out when nil.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        // Read as a string first, so an unknown status is named with the ones there are.
        let statusName = try container.decode(String.self, forKey: Field.status)
        guard let status = Status(rawValue: statusName) else {
            throw DecodingError.dataCorruptedError(
                forKey: Field.status, in: container, debugDescription: "unknown status \"\(statusName)\" (expected one of \(Status.names))")
        }
        self.status = status
        message = try container.decodeIfPresent(String.self, forKey: Field.message)
        errorKind = try container.decodeIfPresent(String.self, forKey: Field.errorKind)
        finishedAt = try container.time(Field.finishedAt)
        outcomeRecorded = try container.decode(Bool.self, forKey: Field.outcomeRecorded)
        emailSent = try container.decode(Bool.self, forKey: Field.emailSent)
        webhookSent = try container.decode(Bool.self, forKey: Field.webhookSent)
        notifyAttempts = try container.decode(Int.self, forKey: Field.notifyAttempts)
        unknownFields = try container.unknownFields(known: Field.known)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encode(status, forKey: Field.status)
        try container.encodeIfPresent(message, forKey: Field.message)
        try container.encodeIfPresent(errorKind, forKey: Field.errorKind)
        try container.encodeTime(finishedAt, forKey: Field.finishedAt)
        try container.encode(outcomeRecorded, forKey: Field.outcomeRecorded)
        try container.encode(emailSent, forKey: Field.emailSent)
        try container.encode(webhookSent, forKey: Field.webhookSent)
        try container.encode(notifyAttempts, forKey: Field.notifyAttempts)
        try container.encodeUnknown(unknownFields)
    }
}
