import StackTestSupport
import Foundation
import Testing

@testable import Curl

@Suite("SMTPClient against the local SMTP server")
struct SMTPClientTests {
    @Test("a message with a non-ASCII subject and body arrives in the maildir intact")
    func deliversUnicode() async throws {
        let stack = try TestStack.current()
        let http = CurlClient()
        defer { http.shutdown() }
        let smtp = SMTPClient(url: stack.smtpURL, http: http)

        let token = uniqueName("mail")
        let subject = "Bericht fertig: Größe ✓ — 日本語のレポートが完了しました (\(token)) and a long tail to force folding"
        let body = """
            Grüße aus Baton! 🚀
            The report s3://reports/daily/2026-11-27.csv was published.
            .
            A line with a leading dot:
            .hidden
            Trailing spaces stay:   
            \(String(repeating: "long line ", count: 30))end
            Ünïcødé at the end: €
            """
        let message = SMTPMessage(
            from: "Baton Wörker <baton@example.com>", to: ["ops@example.com", "Ops Team <team@example.com>"],
            subject: subject, body: body,
            extraHeaders: [HTTPHeader("Message-ID", "<\(token)@baton.test>"), HTTPHeader("X-Baton-Job", token)])
        try await withTimeout(15, "sending") { try await smtp.send(message, timeout: .seconds(10)) }

        let stored = try await storedMessage(containing: token, in: stack.smtpMaildir)
        let parsed = ParsedMail(stored)
        #expect(parsed.header("Subject").map(RFC2047.decode) == subject)
        #expect(parsed.header("X-Baton-Job") == token)
        #expect(parsed.header("Message-ID") == "<\(token)@baton.test>")
        #expect(parsed.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.header("Date") != nil)
        #expect(parsed.header("From").map(RFC2047.decode) == "Baton Wörker <baton@example.com>")
        #expect(parsed.header("To")?.contains("team@example.com") == true)
        #expect(parsed.header("X-RcptTo")?.contains("team@example.com") == true)  // the envelope
        let decoded: String
        if parsed.header("Content-Transfer-Encoding")?.lowercased() == "quoted-printable" {
            decoded = QuotedPrintable.decode(parsed.body)
        } else {
            decoded = parsed.body
        }
        #expect(decoded.trimmingTrailingLineBreaks() == body, "\(decoded)")
    }

    @Test("a plain ASCII message is sent as 7bit")
    func deliversASCII() async throws {
        let stack = try TestStack.current()
        let http = CurlClient()
        defer { http.shutdown() }
        let smtp = SMTPClient(url: stack.smtpURL, http: http)
        let token = uniqueName("ascii")
        let message = SMTPMessage(
            from: "baton@example.com", to: ["ops@example.com"], subject: "Job \(token) completed",
            body: "All good.\nBytes: 1048576\n")
        try await withTimeout(15, "sending") { try await smtp.send(message) }
        let parsed = ParsedMail(try await storedMessage(containing: token, in: stack.smtpMaildir))
        #expect(parsed.header("Subject") == "Job \(token) completed")
        #expect(parsed.header("Content-Transfer-Encoding") == "7bit")
        #expect(parsed.body.trimmingTrailingLineBreaks() == "All good.\nBytes: 1048576")
    }

    @Test("an unreachable relay is a connection failure")
    func unreachable() async throws {
        let port = try LoopbackServer.closedPort()
        let http = CurlClient()
        defer { http.shutdown() }
        let smtp = SMTPClient(url: "smtp://127.0.0.1:\(port)", username: "baton", password: "hunter2", http: http)
        let error = try await withTimeout(10, "sending") {
            await #expect(throws: CurlError.self) {
                try await smtp.send(SMTPMessage(from: "a@example.com", to: ["b@example.com"], subject: "x", body: "y"))
            }
        }
        #expect(error?.isConnectionFailure == true)
        #expect(!"\(String(describing: error)) \(smtp)".contains("hunter2"))
    }

    @Test("the rendered message has CRLF line ends, short lines and the required headers")
    func formatting() throws {
        let message = SMTPMessage(
            from: "Baton <baton@example.com>", to: ["a@example.com"],
            subject: String(repeating: "Größe ", count: 20), body: "x\n" + String(repeating: "é", count: 200))
        let text = message.formatted(date: Date(timeIntervalSince1970: 1_795_773_600), messageID: "<id@example.com>")
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        for line in text.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78, "\(line)")
        }
        #expect(text.contains("Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"))
        #expect(text.contains("Message-ID: <id@example.com>\r\n"))
        #expect(text.contains("Content-Transfer-Encoding: quoted-printable\r\n"))
        #expect(message.envelopeSender == "baton@example.com")
        let parsed = ParsedMail(text)
        #expect(parsed.header("Subject").map(RFC2047.decode) == message.subject)
        #expect(QuotedPrintable.decode(parsed.body).trimmingTrailingLineBreaks() == message.body)
    }
}

// MARK: - Reading the maildir

/// Waits (bounded) for the message whose text contains `token` to appear in `maildir/new`.
func storedMessage(containing token: String, in maildir: String) async throws -> String {
    let directory = URL(fileURLWithPath: maildir).appendingPathComponent("new")
    let found = Mutex<String?>(nil)
    try await eventually(10, "a message containing \(token) in \(directory.path)") {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for file in files {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) else {
                continue
            }
            let text = String(decoding: data, as: UTF8.self)
            if text.contains(token) {
                found.withLock { $0 = text }
                return true
            }
        }
        return false
    }
    return found.withLock { $0 }!
}

import Synchronization

/// An RFC 5322 message split into unfolded header fields and the body (line ends → LF).
struct ParsedMail {
    var headers: [(name: String, value: String)] = []
    var body: String

    init(_ raw: String) {
        let text = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let parts = text.components(separatedBy: "\n\n")
        let head = parts[0]
        body = parts.dropFirst().joined(separator: "\n\n")
        for line in head.components(separatedBy: "\n") {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += line  // unfold: CRLF removed, white space kept
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Decodes RFC 2047 encoded words (B and Q), dropping white space between adjacent words.
enum RFC2047 {
    static func decode(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        var lastWasWord = false
        while let start = rest.range(of: "=?") {
            let between = rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].range(of: "?="),
                let word = decodeWord(rest[start.upperBound..<end.lowerBound])
            else {
                output += rest[..<start.upperBound]
                rest = rest[start.upperBound...]
                lastWasWord = false
                continue
            }
            if !(lastWasWord && between.allSatisfy(\.isWhitespace)) { output += between }
            output += word
            lastWasWord = true
            rest = rest[end.upperBound...]
        }
        return output + rest
    }

    private static func decodeWord(_ word: Substring) -> String? {
        let parts = word.split(separator: "?", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].lowercased() == "utf-8" else { return nil }
        switch parts[1].uppercased() {
        case "B":
            return Data(base64Encoded: String(parts[2])).map { String(decoding: $0, as: UTF8.self) }
        case "Q":
            return QuotedPrintable.decode(parts[2].replacingOccurrences(of: "_", with: " "))
        default:
            return nil
        }
    }
}

enum QuotedPrintable {
    static func decode(_ text: String) -> String {
        let bytes = Array(text.replacingOccurrences(of: "\r\n", with: "\n").utf8)
        var out: [UInt8] = []
        var index = 0
        func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                    index += 2  // soft line break
                    continue
                }
                if index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                    out.append(high << 4 | low)
                    index += 3
                    continue
                }
            }
            out.append(byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    func trimmingTrailingLineBreaks() -> String {
        var text = replacingOccurrences(of: "\r\n", with: "\n")
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
