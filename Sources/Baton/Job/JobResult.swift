import Foundation

/// How the Birst work ended; set when a job enters the notify stage, so notifications
/// can be retried without redoing (or forgetting) the work.
public struct JobResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable {
        case completed
        case failed
        case deadLettered = "dead-lettered"
        case unrouted
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
