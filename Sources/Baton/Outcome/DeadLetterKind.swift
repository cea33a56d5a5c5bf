/// Why a job went to the dead-letter topic: `baton-error-kind`. Stable strings:
/// dashboards and replay filters key on them.
public enum DeadLetterKind: String, Sendable, Codable, CaseIterable {
    /// The message cannot be read as a job (bad JSON, wrong types, unknown stage…).
    case poison
    case retriesExhausted = "retries-exhausted"
    case tooOld = "too-old"
    case tooManySlices = "too-many-slices"
    /// Birst reported the upload or publish job as Failed.
    case birstFailed = "birst-failed"
    /// Birst no longer knows the job token (server restarted, cookie lost).
    case birstJobLost = "birst-job-lost"
    /// Birst refused the configured credentials: an operator must act.
    case birstCredentials = "birst-credentials"
    /// Birst keeps refusing a request (unknown space, invalid value).
    case birstRejected = "birst-rejected"
    case s3Missing = "s3-missing"
    case s3Denied = "s3-denied"
    /// The event and the object it names disagree (size or entity tag of the version the
    /// event named): neither is trusted, nothing is uploaded.
    case s3Mismatch = "s3-mismatch"
}
