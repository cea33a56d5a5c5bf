/// What the driver thread needs to run one transfer, whatever the protocol. The public
/// front ends (``CurlClient/execute(_:)``, ``S3Client``, ``SMTPClient``) build one of these;
/// only ``EasyTransfer`` turns it into libcurl options.
struct TransferRequest: Sendable {
    enum Kind: Sendable {
        /// HTTP(S): the method decides how the body is sent.
        case http(method: String)
        /// SMTP(S): `MAIL FROM`, `RCPT TO` and the message as an upload.
        case smtp(from: String, recipients: [String])
        /// SMTP(S) without mail: connect, greeting, EHLO (STARTTLS and AUTH as for a
        /// send), then `NOOP`. Checks that the relay answers and accepts the login.
        case smtpNoop
    }

    var kind: Kind
    var url: String
    var headers: [HTTPHeader] = []
    var body: [UInt8]?
    var connectTimeout: Duration
    var timeout: Duration
    var cookies: CookieJar?
    /// `CURLOPT_AWS_SIGV4`, e.g. "aws:amz:us-east-1:s3"; the key pair goes in
    /// username/password.
    var awsSigV4: String?
    var username: String?
    var password: String?
    /// `CURLOPT_PATH_AS_IS`: send the path exactly as given (S3 keys may contain `./`).
    var pathAsIs = false

    /// The method as sent, for logs.
    var methodName: String {
        switch kind {
        case .http(let method): return method
        case .smtp, .smtpNoop: return "SMTP"
        }
    }

    /// Rejects what would let a caller smuggle protocol text past libcurl (CR/LF in header
    /// lines, a method with spaces) before any handle is created.
    func validate() throws(CurlError) {
        if url.isEmpty || url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            throw CurlError.invalidRequest("the URL is empty or contains spaces or control characters", url: url)
        }
        if case .http(let method) = kind {
            if method.isEmpty || !method.utf8.allSatisfy(HTTPHeader.isTokenByte) {
                throw CurlError.invalidRequest("\"\(method)\" is not an HTTP method", url: url)
            }
        }
        if case .smtp(let from, let recipients) = kind {
            if recipients.isEmpty {
                throw CurlError.invalidRequest("an e-mail needs at least one recipient", url: url)
            }
            for address in [from] + recipients where address.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
                throw CurlError.invalidRequest("an e-mail address contains control characters", url: url)
            }
        }
        for header in headers where !header.isWellFormed {
            throw CurlError.invalidRequest("malformed header \"\(header.name)\"", url: url)
        }
        for value in [username, password, awsSigV4].compactMap({ $0 }) where value.utf8.contains(0) {
            throw CurlError.invalidRequest("credentials contain a NUL byte", url: url)
        }
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 (libcurl reads 0 as "no timeout").
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        if ms.overflow { return Int.max }
        let total = ms.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if total.overflow { return Int.max }
        return Swift.max(1, Int(total.partialValue))
    }
}
