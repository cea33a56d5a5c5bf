/// An HTTP(S) request for ``CurlClient/execute(_:)``.
///
/// Redirects are not followed (S3 and SOAP endpoints do not need them, and following one
/// would resend credentials to another host). Every request has a connect timeout and a
/// total timeout, so no call waits forever.
public struct HTTPRequest: Sendable {
    /// "GET", "POST", "PUT", "HEAD", "DELETE", … (an RFC 9110 token).
    public var method: String
    /// An absolute `http://` or `https://` URL, already percent-encoded.
    public var url: String
    public var headers: [HTTPHeader]
    /// The request body; `nil` sends none (a `POST` or `PUT` then sends `Content-Length: 0`).
    /// `GET` and `HEAD` never send a body.
    public var body: [UInt8]?
    /// Time allowed to establish the connection (TCP and TLS).
    public var connectTimeout: Duration
    /// Time allowed for the whole request, connecting included.
    public var timeout: Duration
    /// `nil` turns curl's cookie engine off. A jar (even an empty one) turns it on: its
    /// cookies are sent where they match, and ``HTTPResponse/cookies`` holds the jar after
    /// the response.
    public var cookies: CookieJar?

    public init(
        method: String = "GET",
        url: String,
        headers: [HTTPHeader] = [],
        body: [UInt8]? = nil,
        connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(60),
        cookies: CookieJar? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.cookies = cookies
    }
}
