/// Cookies in libcurl's own Netscape cookie-file format, one cookie per line:
///
///     domain <TAB> includeSubdomains <TAB> path <TAB> secure <TAB> expires <TAB> name <TAB> value
///
/// (HttpOnly cookies carry a `#HttpOnly_` prefix on the domain). Because it is curl's own
/// format, a jar goes into a request unchanged (`CURLOPT_COOKIELIST`) and comes back out of a
/// response unchanged (`CURLINFO_COOKIELIST`): curl's cookie engine decides which cookies a
/// request sends and applies `Set-Cookie`, expiry and domain rules.
///
/// A jar is a plain value, so it can travel in a job envelope from one worker to the next:
/// ``serialized`` is a compact string for that, and `Codable` uses the same string.
public struct CookieJar: Sendable, Hashable {
    /// The cookie lines, in curl's order.
    public var lines: [String]

    /// An empty jar. A request with an empty jar still turns the cookie engine on, so the
    /// response's jar collects every `Set-Cookie`.
    public init() {
        self.lines = []
    }

    /// A jar from Netscape cookie-file lines (as curl writes them) or `Set-Cookie:` lines
    /// (as curl also accepts them). Blank lines and comments are dropped.
    public init(lines: [String]) {
        self.lines = lines.filter(CookieJar.isCookieLine)
    }

    public var isEmpty: Bool { lines.isEmpty }

    /// The value of the first cookie called `name`, whatever its domain and path.
    public func value(named name: String) -> String? {
        for line in lines {
            if let cookie = Cookie(line: line), cookie.name == name {
                return cookie.value
            }
        }
        return nil
    }

    /// Adds a cookie, replacing one with the same name, domain and path.
    ///
    /// - Parameters:
    ///   - domain: the host the cookie belongs to, e.g. `app2101.bws.birst.com`.
    ///   - includeSubdomains: also send it to subdomains of `domain`.
    ///   - expires: seconds since 1970; `0` makes it a session cookie.
    public mutating func set(
        name: String, value: String, domain: String, path: String = "/",
        includeSubdomains: Bool = false, secure: Bool = false, expires: Int = 0
    ) {
        let fields = [
            domain, includeSubdomains ? "TRUE" : "FALSE", path, secure ? "TRUE" : "FALSE",
            String(expires), name, value,
        ].map { $0.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" } }
        lines.removeAll { line in
            guard let cookie = Cookie(line: line) else { return false }
            return cookie.name == fields[5] && cookie.domain == fields[0] && cookie.path == fields[2]
        }
        lines.append(fields.joined(separator: "\t"))
    }

    /// A compact string form of the jar (its lines joined by newlines), for example to
    /// carry it in a JSON job envelope. ``init(serialized:)`` reads it back.
    public var serialized: String {
        lines.joined(separator: "\n")
    }

    /// Reads ``serialized``; `nil` if a line is not a cookie line. The empty string is the
    /// empty jar.
    public init?(serialized: String) {
        var lines: [String] = []
        for line in serialized.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(line.hasSuffix("\r") ? line.dropLast() : line)
            guard CookieJar.isCookieLine(line) else { return nil }
            lines.append(line)
        }
        self.lines = lines
    }

    /// Netscape lines (seven tab-separated fields) and `Set-Cookie:` lines. Anything else —
    /// in particular curl's `COOKIELIST` commands `ALL`, `SESS`, `FLUSH`, `RELOAD` — is not
    /// a cookie and never reaches curl.
    static func isCookieLine(_ line: String) -> Bool {
        if Cookie(line: line) != nil { return true }
        return line.utf8.count > 11 && line.prefix(11).lowercased() == "set-cookie:"
    }
}

extension CookieJar: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let jar = CookieJar(serialized: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a cookie jar (Netscape cookie lines)")
        }
        self = jar
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(serialized)
    }
}

extension CookieJar: CustomStringConvertible {
    /// Names and domains only: cookie values are often session credentials.
    public var description: String {
        let cookies = lines.compactMap(Cookie.init(line:)).map { "\($0.name)@\($0.domain)" }
        return "CookieJar(\(cookies.joined(separator: ", ")))"
    }
}
