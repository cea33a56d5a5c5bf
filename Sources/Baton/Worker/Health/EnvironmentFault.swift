/// A fault of the worker's environment, not of one job (DESIGN.md §4): every job would
/// fail the same way, so none spends a retry or is dead-lettered for it. The worker
/// pauses, hands its jobs on, and resumes once ``EnvironmentHealth`` sees it cleared.
public enum EnvironmentFault: Sendable, Hashable, CustomStringConvertible {
    /// Birst refused the login (`Failed web service(s) login …`, `Validation failure`):
    /// a configuration error (birst-api.md, Faults).
    case birstCredentials(String)
    /// Birst could not be reached (connection refused, unresolvable, connect timeout).
    case birstUnreachable(String)
    /// S3 rejected the worker's credentials (`InvalidAccessKeyId`,
    /// `SignatureDoesNotMatch`, `ExpiredToken`, …) on `bucket`.
    case s3Credentials(bucket: String, message: String)
    /// S3 could not be reached for `bucket`.
    case s3Unreachable(bucket: String, message: String)

    /// What is at fault; one pause per dependency.
    public enum Dependency: String, Sendable, Hashable {
        case birst
        case s3
    }

    public var dependency: Dependency {
        switch self {
        case .birstCredentials, .birstUnreachable: .birst
        case .s3Credentials, .s3Unreachable: .s3
        }
    }

    /// A short name for logs and `lastError.kind`.
    public var kind: String {
        switch self {
        case .birstCredentials: "birst-login"
        case .birstUnreachable: "birst-unreachable"
        case .s3Credentials: "s3-credentials"
        case .s3Unreachable: "s3-unreachable"
        }
    }

    public var description: String {
        switch self {
        case .birstCredentials(let message): "Birst refused the login: \(message)"
        case .birstUnreachable(let message): "Birst is unreachable: \(message)"
        case .s3Credentials(let bucket, let message): "S3 rejected the credentials (bucket \"\(bucket)\"): \(message)"
        case .s3Unreachable(let bucket, let message): "S3 is unreachable (bucket \"\(bucket)\"): \(message)"
        }
    }
}
