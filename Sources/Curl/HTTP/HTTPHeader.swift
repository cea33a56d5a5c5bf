/// One header field of an HTTP request or response (also used for extra e-mail headers).
///
/// Names compare case-sensitively here (it is a plain value); lookups such as
/// ``HTTPResponse/header(_:)`` ignore case, as HTTP does.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ value: String) {
        self.init(name: name, value: value)
    }
}

extension HTTPHeader: CustomStringConvertible {
    public var description: String { "\(name): \(value)" }
}

extension HTTPHeader {
    /// A header name is an RFC 9110 token; a value may not contain CR, LF or NUL (that would
    /// let a caller inject further header lines).
    var isWellFormed: Bool {
        !name.isEmpty && name.utf8.allSatisfy(HTTPHeader.isTokenByte)
            && !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 })
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
