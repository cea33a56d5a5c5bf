import Foundation

/// The XML error body S3 sends with 4xx/5xx responses:
///
///     <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>
///     <Key>…</Key><RequestId>…</RequestId></Error>
///
/// Only a handful of flat elements are read, so a small scanner does (no XML library).
struct S3ErrorDocument: Sendable, Equatable {
    var code: String?
    var message: String?
    var requestID: String?

    init(code: String? = nil, message: String? = nil, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    init(xml: String) {
        code = S3ErrorDocument.element("Code", in: xml)
        message = S3ErrorDocument.element("Message", in: xml)
        requestID = S3ErrorDocument.element("RequestId", in: xml)
    }

    /// The text of the first `<name>…</name>`, entities decoded; `nil` if absent or empty.
    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"),
            let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex)
        else { return nil }
        let text = decodeEntities(String(xml[open.upperBound..<close.lowerBound]))
        return text.isEmpty ? nil : text
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: Unicode.Scalar?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    scalar = UInt32(entity.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
                }
                if let scalar { out.unicodeScalars.append(scalar) } else { out += "&\(entity);" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
