import Birst
import Curl

/// How a stage failed, decided once from the underlying error: retry later, give the
/// job up, or simply out of time.
public enum SliceFailure: Error, Sendable, CustomStringConvertible {
    /// Worth retrying after a back-off (Birst busy or restarting, S3 or network trouble).
    case transient(TransientKind, message: String)
    /// Retrying cannot help.
    case deadLetter(DeadLetterKind, String)
    /// The slice ran out of time inside a call; hand the job on as it stands.
    case outOfTime
    /// Birst or S3 is unusable for every job: no retry spent, nothing dead-lettered.
    case environment(EnvironmentFault)

    /// Faults Birst does not classify are retried this many slices in a row, then the
    /// job is dead-lettered: an unknown space does not heal by itself.
    static let maxConsecutiveFaults = 5

    /// - Parameter bucket: the job's S3 bucket (a stage's bare ``CurlError`` comes from S3:
    ///   Birst's are wrapped in ``BirstError``).
    public static func classify(_ error: any Error, previous: JobError?, bucket: String = "") -> SliceFailure {
        switch error {
        case let failure as SliceFailure:
            return failure
        case let birst as BirstError:
            return classify(birst, previous: previous)
        case let s3 as S3Error:
            switch s3 {
            case .notFound, .bucketNotFound: return .deadLetter(.s3Missing, s3.description)
            case .accessDenied where s3.rejectsCredentials:
                return .environment(.s3Credentials(bucket: s3.bucket, message: s3.description))
            case .accessDenied: return .deadLetter(.s3Denied, s3.description)
            default: return .transient(.s3, message: s3.description)
            }
        case let curl as CurlError where curl.isConnectionFailure:
            return .environment(.s3Unreachable(bucket: bucket, message: curl.description))
        case let curl as CurlError:
            return .transient(.network, message: curl.description)
        case is CancellationError:
            return .outOfTime
        default:
            return .transient(.internal, message: String(describing: error))
        }
    }

    private static func classify(_ error: BirstError, previous: JobError?) -> SliceFailure {
        switch error.kind {
        case .transient where error.httpStatus == nil && !error.mayHaveTakenEffect && error.message.contains("HTTP transport"):
            // Never connected (refused, unresolvable, connect timeout): Birst is down for
            // every job, not for this one.
            return .environment(.birstUnreachable(error.description))
        case .transient, .invalidResponse:
            return .transient(.birstTransient, message: error.description)
        case .deadlineExceeded:
            return .outOfTime
        case .invalidToken:
            // The session already logged in again with the job's cookie and Birst still
            // rejected a token other than the login token: the job token is gone. A
            // rejected login token never gets here (the session logs in again).
            return .deadLetter(.birstJobLost, error.description)
        case .badCredentials:
            return .environment(.birstCredentials(error.description))
        case .invalidRequest:
            return .deadLetter(.birstRejected, error.description)
        case .fault:
            if previous?.kind == TransientKind.birstFault.rawValue, (previous?.count ?? 1) >= maxConsecutiveFaults {
                return .deadLetter(.birstRejected, error.description)
            }
            return .transient(.birstFault, message: error.description)
        }
    }

    public var description: String {
        switch self {
        case .transient(let kind, let message): "\(kind.rawValue): \(message)"
        case .deadLetter(let kind, let message): "\(kind.rawValue): \(message)"
        case .outOfTime: "out of time"
        case .environment(let fault): fault.description
        }
    }
}

extension S3Error {
    /// S3 refused the worker's credentials themselves (not a permission on one object):
    /// every request would fail the same way.
    var rejectsCredentials: Bool {
        guard case .accessDenied(_, _, let message) = self else { return false }
        return Self.credentialErrorCodes.contains { message.hasPrefix($0 + ":") || message == $0 }
    }

    /// S3 error codes of rejected credentials (AWS S3 API Reference, "Error responses").
    static let credentialErrorCodes = [
        "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
        "TokenRefreshRequired", "AuthorizationHeaderMalformed", "InvalidSecurity",
    ]
}
