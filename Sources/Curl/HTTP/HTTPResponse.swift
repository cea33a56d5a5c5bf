/// The response to an ``HTTPRequest``. Any status, including 4xx and 5xx, is a response;
/// only transport failures throw (``CurlError``).
public struct HTTPResponse: Sendable {
    /// The HTTP status code of the final response.
    public var status: Int
    /// The header fields of the final response, in the order received (interim `100
    /// Continue` responses are not included).
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    /// The cookie jar after the response: the request's cookies plus every `Set-Cookie`
    /// (minus expired ones). Empty if the request had no jar (cookie engine off).
    public var cookies: CookieJar

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = [], cookies: CookieJar = CookieJar()) {
        self.status = status
        self.headers = headers
        self.body = body
        self.cookies = cookies
    }

    /// The first value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Every value of the header `name` (for example each `Set-Cookie`), case-insensitively.
    public func headers(named name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The body decoded as UTF-8 (invalid sequences become U+FFFD).
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }

    /// 200…299.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
