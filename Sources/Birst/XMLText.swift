/// Escaping of values for XML element content (and attributes).
enum XMLText {
    /// Escapes `&<>"'`, and CR (which XML parsers would otherwise normalise away).
    /// Returns nil when the string holds a character XML 1.0 cannot carry at all.
    static func escape(_ value: String) -> String? {
        // Fast path for plain ASCII without markup characters, such as the base64 of an
        // upload chunk (1.4 MB per call): it goes out as it is.
        if value.utf8.allSatisfy(isPlainASCII) { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#xD;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                guard isXMLChar(scalar) else { return nil }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isPlainASCII(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): false
        case 0x20..<0x7F, UInt8(ascii: "\n"), UInt8(ascii: "\t"): true
        default: false
        }
    }

    /// XML 1.0 `Char` production.
    static func isXMLChar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
