/// The kinds of transient error a slice backs off from: `lastError.kind` in the
/// envelope, `errorKind` in logs. Consecutive errors of one kind count up
/// (`lastError.count`) and lengthen the back-off.
public enum TransientKind: String, Sendable, CaseIterable {
    /// S3 answered with an error worth retrying (5xx, throttling).
    case s3
    /// The network failed after connecting (S3 or webhook transport).
    case network
    /// An error no one classified.
    case `internal`
    /// Birst busy, restarting, or answering garbage.
    case birstTransient = "birst-transient"
    /// A SOAP fault Birst does not classify; dead-lettered after
    /// ``SliceFailure/maxConsecutiveFaults`` in a row.
    case birstFault = "birst-fault"
    /// `publishData`'s answer was lost: it is not called again; the job waits for the
    /// space to be idle and ends `unconfirmed` (``PublishStage``).
    case publishUnknown = "publish-unknown"
    /// The upload starts over under a new token (a call's fate was unknown).
    case uploadRestart = "upload-restart"
    /// Notifications failed; the outcome stands and they are retried. It outlives the
    /// stage steps that clear other kinds, so its count keeps growing.
    case notify
}
