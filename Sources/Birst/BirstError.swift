/// A failed Birst call, classified so that a worker knows what to do next.
/// Messages are redacted: they never contain the login token or the password.
public struct BirstError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CustomStringConvertible {
        /// `token … is not valid or has expired`: the login or job token is unknown on
        /// this server. Sessions log in again (same cookie) and retry; thrown only when a
        /// token other than the login token (the job token) is rejected again after that,
        /// and then the job is lost (dead letter). See ``BirstError/rejectedLoginToken``.
        case invalidToken
        /// `Server was unable to process request`, HTTP 5xx, timeouts, connection
        /// errors: retry with back-off.
        case transient
        /// Malformed, unknown or wrong credentials: fatal, a configuration error.
        case badCredentials
        /// The caller's deadline passed (or left too little time to start the call).
        case deadlineExceeded
        /// Any other SOAP fault (busy space, unknown space, …).
        case fault
        /// The response was not a SOAP answer we accept (not XML, a DOCTYPE, wrong
        /// element, missing result, unexpected HTTP status).
        case invalidResponse
        /// The request could not be built (a value XML cannot carry).
        case invalidRequest

        public var description: String { rawValue }
    }

    public var kind: Kind
    public var operation: BirstOperation
    /// Human-readable and redacted: the SOAP `faultstring`, or what went wrong.
    public var message: String
    /// SOAP `faultcode` (`soap:Server`, `soap:Client`) when the server answered a fault.
    public var faultCode: String?
    /// HTTP status when a response arrived.
    public var httpStatus: Int?
    /// Whether the server may have carried the call out although it failed. False only
    /// when the call provably did not run: no byte of the request was sent (refused,
    /// unresolvable, connect timeout on a new connection, too little time to start), or
    /// Birst answered with a SOAP fault that rejects the call. Everything else — a
    /// timeout or dropped connection after sending (also on a reused keep-alive
    /// connection), a 5xx, an unreadable answer — counts as possibly applied. A
    /// non-idempotent call (`beginDataUpload`, `uploadData`, `finishDataUpload`,
    /// `publishData`) that may have taken effect cannot simply be resent.
    public var mayHaveTakenEffect: Bool
    /// For an ``Kind/invalidToken`` fault: its faultstring names the login token the call
    /// carried (`token <login token> is not valid or has expired`), so Birst rejected the
    /// login session (idle, logged out, server restarted), not the job token. False when
    /// it names another token or none.
    public var rejectedLoginToken: Bool

    public init(
        kind: Kind, operation: BirstOperation, message: String, faultCode: String? = nil,
        httpStatus: Int? = nil, mayHaveTakenEffect: Bool = false, rejectedLoginToken: Bool = false
    ) {
        self.kind = kind
        self.operation = operation
        self.message = message
        self.faultCode = faultCode
        self.httpStatus = httpStatus
        self.mayHaveTakenEffect = mayHaveTakenEffect
        self.rejectedLoginToken = rejectedLoginToken
    }

    /// Worth trying again later (possibly in another slice).
    public var isRetryable: Bool { kind == .transient || kind == .deadlineExceeded }
    /// A configuration error: retrying cannot help.
    public var isFatal: Bool { kind == .badCredentials || kind == .invalidRequest }

    public var description: String {
        var text = "Birst \(operation.rawValue) failed (\(kind))"
        if let httpStatus { text += " [HTTP \(httpStatus)]" }
        if let faultCode { text += " [\(faultCode)]" }
        return text + ": " + message
    }
}
