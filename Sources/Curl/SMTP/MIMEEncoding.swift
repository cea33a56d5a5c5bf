import Foundation

/// The e-mail encodings an ``SMTPMessage`` needs: RFC 2047 encoded words for non-ASCII
/// header text and RFC 2045 quoted-printable for non-ASCII bodies.
enum MIMEEncoding {
    /// `text` as header content: unchanged if it is printable ASCII, otherwise as UTF-8
    /// `=?UTF-8?B?…?=` encoded words of at most 75 characters each, folded onto
    /// continuation lines (CRLF + space). Characters are never split across words.
    static func encodeHeaderText(_ text: String, firstLineUsed: Int) -> String {
        let clean = text.replacingLineBreaks()
        if clean.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return clean
        }
        // A word is "=?UTF-8?B?" + base64 + "?=" (12 characters of overhead). Continuation
        // lines start with one space, so 63 base64 characters (45 bytes) keep them within 76;
        // the first word also has to fit after "Name: " on the header's first line.
        func maxBytes(room: Int) -> Int { max(3, (room - 12) / 4 * 3) }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in clean {
            let bytes = Array(String(character).utf8)
            let limit = words.isEmpty ? maxBytes(room: 76 - firstLineUsed) : maxBytes(room: 75)
            if chunk.count + bytes.count > limit, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(base64(chunk))?=")
                chunk.removeAll()
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(base64(chunk))?=") }
        return words.joined(separator: "\r\n ")
    }

    /// A display name for an address header: as is when it is a plain ASCII phrase, quoted
    /// when it has specials, encoded words when it has non-ASCII.
    static func encodeDisplayName(_ name: String) -> String {
        let clean = name.replacingLineBreaks()
        guard clean.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            return encodeHeaderText(clean, firstLineUsed: 6)
        }
        let specials = Set("()<>[]:;@\\,.\"")
        guard clean.contains(where: { specials.contains($0) }) else { return clean }
        let escaped = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    /// Quoted-printable (RFC 2045 §6.7) of `text` with CRLF line ends; lines stay within 76
    /// characters using soft breaks (`=` CRLF).
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        let lines = text.normalizedLines()
        for (index, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            var lineLength = 0
            for (position, byte) in bytes.enumerated() {
                let isLast = position == bytes.count - 1
                var encoded: [UInt8]
                switch byte {
                case 0x21...0x3C, 0x3E...0x7E:
                    encoded = [byte]
                case 0x20, 0x09:
                    // Trailing white space would be stripped in transit: encode it.
                    encoded = isLast ? [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]] : [byte]
                default:
                    encoded = [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
                // Room for a soft break "=" unless this is the line's last character.
                let limit = isLast ? 76 : 75
                if lineLength + encoded.count > limit {
                    out += Array("=\r\n".utf8)
                    lineLength = 0
                }
                out += encoded
                lineLength += encoded.count
            }
            if index < lines.count - 1 { out += [0x0D, 0x0A] }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    /// Lines split on CRLF, CR or LF.
    func normalizedLines() -> [String] {
        var lines: [String] = []
        var current = ""
        var previousWasCR = false
        for scalar in unicodeScalars {
            if scalar == "\n" {
                if !previousWasCR { lines.append(current); current = "" }
                previousWasCR = false
            } else if scalar == "\r" {
                lines.append(current)
                current = ""
                previousWasCR = true
            } else {
                current.unicodeScalars.append(scalar)
                previousWasCR = false
            }
        }
        lines.append(current)
        return lines
    }

    /// Header values must stay on one logical line: CR and LF become spaces.
    func replacingLineBreaks() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
    }
}
