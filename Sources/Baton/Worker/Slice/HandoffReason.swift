/// Why a slice republished its job instead of finishing it; `baton-handoff`.
public enum HandoffReason: String, Sendable, CaseIterable {
    /// The slice budget ran out.
    case budget
    /// A step that must not be repeated (publishData, finishDataUpload) just happened:
    /// record its result before anything else can go wrong.
    case checkpoint
    /// A transient error; `notBefore` holds the back-off.
    case backoff
    /// The worker is shutting down.
    case shutdown
    /// The partition moved to another worker.
    case rebalance
    /// Notifications still to send.
    case notifyRetry = "notify-retry"
    /// Birst or S3 is unusable for every job (``EnvironmentFault``); `notBefore` holds
    /// the re-check delay.
    case environment
    /// Not a hand-off: the record of a slice's intent to call `publishData`, produced
    /// mid-slice before the call (``SliceContext/recordPublishIntent``). It runs only if
    /// that slice fails to hand the job on.
    case publishIntent = "publish-intent"

    /// Whether the hand-off spends one of the job's retries. Hand-offs the worker
    /// causes itself (shutdown, rebalance) do not, nor does re-sending a notification.
    public var spendsRetry: Bool {
        switch self {
        case .budget, .checkpoint, .backoff: true
        case .shutdown, .rebalance, .notifyRetry, .environment, .publishIntent: false
        }
    }
}

extension HandoffReason {
    /// The hand-off a stop asks for: where ``StopSignal``'s reasons become hand-off
    /// reasons, once for the runner and the dispatcher alike.
    public init(_ stop: StopSignal.Reason) {
        switch stop {
        case .shutdown: self = .shutdown
        case .rebalance: self = .rebalance
        }
    }
}
