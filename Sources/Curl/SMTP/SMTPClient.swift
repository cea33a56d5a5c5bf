/// Sends e-mail through an SMTP relay with libcurl, on a ``CurlClient``'s driver thread.
///
/// `smtps://` is TLS from the first byte. On `smtp://` libcurl upgrades with STARTTLS when
/// the relay offers it; with a password, STARTTLS is required (the password is never sent
/// in clear text) and a relay without it fails the send. Certificates are verified against
/// the system's CA store.
public struct SMTPClient: Sendable {
    /// `smtp://host:port` or `smtps://host:port`. A path names the domain sent with EHLO.
    public let url: String
    public let username: String?
    private let password: String?
    private let http: CurlClient

    public init(url: String, username: String? = nil, password: String? = nil, http: CurlClient) {
        self.url = url
        self.username = username
        self.password = password
        self.http = http
    }

    /// Delivers `message` to the relay (`MAIL FROM`, `RCPT TO` for every recipient, `DATA`).
    ///
    /// - Throws: ``CurlError`` when the relay cannot be reached, rejects the login, a
    ///   recipient or the message, or `timeout` expires (it covers the whole conversation).
    public func send(_ message: SMTPMessage, timeout: Duration = .seconds(30)) async throws {
        let text = message.formatted()
        let request = TransferRequest(
            kind: .smtp(from: message.envelopeSender, recipients: message.envelopeRecipients),
            url: url,
            body: Array(text.utf8),
            connectTimeout: min(timeout, .seconds(10)),
            timeout: timeout,
            cookies: nil,
            username: username,
            password: password
        )
        _ = try await http.perform(request)
    }
}

extension SMTPClient {
    /// Checks the relay without sending mail: connects, reads the greeting, says EHLO
    /// (STARTTLS and AUTH as a send would), then `NOOP`.
    ///
    /// - Throws: ``CurlError`` when the relay cannot be reached, refuses the login or the
    ///   `NOOP`, or `timeout` expires.
    public func check(timeout: Duration = .seconds(10)) async throws {
        let request = TransferRequest(
            kind: .smtpNoop, url: url, body: nil, connectTimeout: min(timeout, .seconds(10)), timeout: timeout,
            cookies: nil, username: username, password: password
        )
        _ = try await http.perform(request)
    }
}

extension SMTPClient: CustomStringConvertible, CustomReflectable {
    public var description: String {
        "SMTPClient(url: \(URLRedaction.redact(url)), username: \(username ?? "none"), password: \(password == nil ? "none" : "<redacted>"))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["url": URLRedaction.redact(url), "username": username ?? "none"])
    }
}
