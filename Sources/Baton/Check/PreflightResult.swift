/// The outcome of one part of `baton check`.
public struct PreflightResult: Sendable, Equatable {
    /// What `baton check` checks, in order. Each failing part sets its bit in the exit
    /// status, so the status says which failed (0: all passed).
    public enum Part: String, Sendable, CaseIterable {
        case config, broker, topics, s3, birst, smtp

        /// This part's bit in `baton check`'s exit status.
        public var exitBit: Int32 {
            switch self {
            case .config: 1
            case .broker: 2
            case .topics: 4
            case .s3: 8
            case .birst: 16
            case .smtp: 32
            }
        }

        /// How `baton check` names it.
        public var title: String {
            switch self {
            case .config: "config"
            case .broker: "broker"
            case .topics: "topics"
            case .s3: "S3"
            case .birst: "Birst login"
            case .smtp: "SMTP"
            }
        }
    }

    public enum Status: String, Sendable {
        case passed = "ok"
        case failed = "FAILED"
        /// Not checked: not configured, or a part it depends on failed.
        case skipped = "skipped"
    }

    public var part: Part
    public var status: Status
    /// What was checked, or why it failed; never a secret.
    public var detail: String

    public init(_ part: Part, _ status: Status, _ detail: String) {
        self.part = part
        self.status = status
        self.detail = detail
    }

    /// The exit status for these results: the bits of the failed parts.
    public static func exitStatus(_ results: [PreflightResult]) -> Int32 {
        results.filter { $0.status == .failed }.reduce(0) { $0 | $1.part.exitBit }
    }
}
