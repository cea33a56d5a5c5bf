/// An S3 request that S3 answered with an error (or that was invalid before sending).
/// Transport failures (timeouts, connection refused) are ``CurlError``s instead.
///
/// Every description names the bucket and, where there is one, the key.
public enum S3Error: Error, Sendable, CustomStringConvertible {
    /// `NoSuchKey` (or a 404 to a HEAD of an object in an existing bucket).
    case notFound(bucket: String, key: String)
    /// `NoSuchBucket`.
    case bucketNotFound(bucket: String)
    /// 403: missing permission, wrong key pair, bad signature, expired token… `message` has
    /// S3's code and text. `key` is empty for bucket operations.
    case accessDenied(bucket: String, key: String, message: String)
    /// Any other error: S3's status, its XML error `Code` and `Message`. Status `0` means the
    /// request was rejected before it was sent (an invalid bucket name or an empty key).
    case http(status: Int, code: String?, message: String, bucket: String, key: String?)

    public var description: String {
        switch self {
        case .notFound(let bucket, let key):
            return "S3 object not found: key \"\(key)\" in bucket \"\(bucket)\" (s3://\(bucket)/\(key))"
        case .bucketNotFound(let bucket):
            return "S3 bucket not found: \"\(bucket)\""
        case .accessDenied(let bucket, let key, let message):
            let target = key.isEmpty ? "bucket \"\(bucket)\"" : "key \"\(key)\" in bucket \"\(bucket)\""
            return "S3 access denied to \(target): \(message)"
        case .http(let status, let code, let message, let bucket, let key):
            let target = key.map { "key \"\($0)\" in bucket \"\(bucket)\"" } ?? "bucket \"\(bucket)\""
            let what = code.map { "\($0): \(message)" } ?? message
            if status == 0 { return "S3 request for \(target) not sent: \(what)" }
            return "S3 error \(status) for \(target): \(what)"
        }
    }

    /// S3 answered 412 Precondition Failed: the object no longer has the entity tag the
    /// request's `If-Match` named (it was overwritten since).
    public var isPreconditionFailed: Bool {
        if case .http(412, _, _, _, _) = self { return true }
        return false
    }

    /// The bucket the failed request was about.
    public var bucket: String {
        switch self {
        case .notFound(let bucket, _), .bucketNotFound(let bucket), .accessDenied(let bucket, _, _),
            .http(_, _, _, let bucket, _):
            return bucket
        }
    }

    /// The key the failed request was about, if any.
    public var key: String? {
        switch self {
        case .notFound(_, let key): return key
        case .bucketNotFound: return nil
        case .accessDenied(_, let key, _): return key.isEmpty ? nil : key
        case .http(_, _, _, _, let key): return key
        }
    }
}
