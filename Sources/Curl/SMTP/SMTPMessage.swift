import Foundation

/// A plain-text e-mail.
///
/// ``formatted(date:messageID:)`` renders RFC 5322 text with CRLF line ends: `Date`, `From`,
/// `To`, `Subject` (RFC 2047 encoded words when it is not ASCII), `Message-ID`,
/// `MIME-Version`, `Content-Type: text/plain; charset=utf-8` and a transfer encoding —
/// `7bit` for short-lined ASCII, otherwise quoted-printable, which every relay accepts (no
/// reliance on the server's 8BITMIME). Dot-stuffing is libcurl's job.
public struct SMTPMessage: Sendable {
    /// The sender: `addr@example.com` or `Display Name <addr@example.com>`.
    public var from: String
    /// Recipients, in the same forms.
    public var to: [String]
    public var subject: String
    /// The text; any line-end convention.
    public var body: String
    /// More header fields (`Reply-To`, `X-Baton-Job`, …). One with the name of a generated
    /// header (`Message-ID`, `Date`, …) replaces it — e.g. a `Message-ID` derived from a job
    /// id lets receivers drop duplicates. CR and LF in values become spaces.
    public var extraHeaders: [HTTPHeader]

    public init(from: String, to: [String], subject: String, body: String, extraHeaders: [HTTPHeader] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.extraHeaders = extraHeaders
    }

    /// The envelope sender (`MAIL FROM`): the bare address.
    public var envelopeSender: String { SMTPMessage.address(in: from) }

    /// The envelope recipients (`RCPT TO`): the bare addresses.
    public var envelopeRecipients: [String] { to.map(SMTPMessage.address(in:)) }

    /// The message as RFC 5322 text with CRLF line ends.
    public func formatted(date: Date = Date(), messageID: String? = nil) -> String {
        let domain = envelopeSender.split(separator: "@").last.map(String.init) ?? "baton.invalid"
        let id = messageID ?? "<\(UUID().uuidString.lowercased())@\(domain)>"
        let bodyIsPlain = body.utf8.allSatisfy { $0 < 0x80 && $0 != 0 }
            && body.normalizedLines().allSatisfy { $0.utf8.count <= 998 }

        var fields: [(String, String)] = [
            ("Date", CivilTime.rfc5322(date)),
            ("From", SMTPMessage.mailbox(from)),
            ("To", to.map(SMTPMessage.mailbox).joined(separator: ",\r\n ")),
            ("Subject", MIMEEncoding.encodeHeaderText(subject, firstLineUsed: "Subject: ".count)),
            ("Message-ID", id),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", bodyIsPlain ? "7bit" : "quoted-printable"),
        ]
        for header in extraHeaders where !header.name.isEmpty && header.name.utf8.allSatisfy(HTTPHeader.isTokenByte) {
            let value = MIMEEncoding.encodeHeaderText(header.value, firstLineUsed: header.name.count + 2)
            if let index = fields.firstIndex(where: { $0.0.lowercased() == header.name.lowercased() }) {
                fields[index] = (fields[index].0, value)
            } else {
                fields.append((header.name, value))
            }
        }

        var text = fields.map { "\($0.0): \($0.1)\r\n" }.joined()
        text += "\r\n"
        text += bodyIsPlain ? body.normalizedLines().joined(separator: "\r\n") : MIMEEncoding.quotedPrintable(body)
        if !text.hasSuffix("\r\n") { text += "\r\n" }
        return text
    }

    /// `Name <addr>` → `addr`; a bare address stays as it is.
    static func address(in mailbox: String) -> String {
        if let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close {
            return String(mailbox[mailbox.index(after: open)..<close]).trimmingSpacesAndTabs()
        }
        return mailbox.trimmingSpacesAndTabs()
    }

    /// A mailbox for a header: `Name <addr>` with the name encoded as needed.
    static func mailbox(_ mailbox: String) -> String {
        let address = address(in: mailbox).replacingLineBreaks()
        guard let open = mailbox.lastIndex(of: "<") else { return address }
        var name = String(mailbox[..<open]).trimmingSpacesAndTabs()
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
        guard !name.isEmpty else { return "<\(address)>" }
        return "\(MIMEEncoding.encodeDisplayName(name)) <\(address)>"
    }
}
