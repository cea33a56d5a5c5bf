/// Builds S3 request URLs: endpoint, path or virtual-hosted style, and S3's URI encoding of
/// object keys (the encoding SigV4's canonical request expects, which libcurl 7.88 signs
/// exactly as sent).
struct S3Addressing: Sendable {
    let scheme: String
    /// Host and optional port, e.g. `127.0.0.1:5000`, `s3.eu-west-1.amazonaws.com`.
    let authority: String
    let host: String
    /// Path prefix of the endpoint without a trailing slash (usually empty).
    let basePath: String
    let forcePathStyle: Bool

    init(configuration: S3Configuration) {
        let endpoint = configuration.endpoint ?? "https://s3.\(configuration.region).amazonaws.com"
        var rest = Substring(endpoint)
        if let range = rest.range(of: "://") {
            scheme = String(rest[..<range.lowerBound]).lowercased()
            rest = rest[range.upperBound...]
        } else {
            scheme = "https"
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<slash]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        self.authority = String(authority)
        var path = String(rest[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
        host = S3Addressing.host(of: String(authority))
        forcePathStyle = configuration.pathStyle
    }

    /// The URL of `key` in `bucket`, or of the bucket itself when `key` is nil.
    func url(bucket: String, key: String?) -> String {
        let encodedKey = key.map(S3Addressing.encodeKey) ?? ""
        if usesPathStyle(bucket: bucket) {
            let keyPart = key == nil ? "" : "/" + encodedKey
            return "\(scheme)://\(authority)\(basePath)/\(bucket)\(keyPart)"
        }
        return "\(scheme)://\(bucket).\(authority)\(basePath)/\(encodedKey)"
    }

    func usesPathStyle(bucket: String) -> Bool {
        if forcePathStyle { return true }
        if host == "localhost" || S3Addressing.isIPAddress(host) { return true }
        // Dots break TLS wildcard certificates; capitals and underscores are legacy names.
        return bucket.contains(".") || bucket.contains(where: { $0.isUppercase || $0 == "_" })
    }

    /// Bucket names S3 accepts (including legacy ones): 3–255 letters, digits, `.`, `-`,
    /// `_`. Anything else could change the URL's meaning and is rejected before sending.
    static func isValidBucketName(_ name: String) -> Bool {
        (3...255).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    return true
                default:
                    return false
                }
            }
            && name != "." && name != ".."
    }

    /// S3's URI encoding of an object key: every byte of its UTF-8 form except the
    /// unreserved characters `A–Z a–z 0–9 - _ . ~` and the `/` separator becomes `%XX`
    /// (uppercase hex). So spaces, `+`, `&`, `%`, `?`, `#` and non-ASCII are all encoded.
    static func encodeKey(_ key: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(key.utf8.count)
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func host(of authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        if let colon = authority.lastIndex(of: ":") { return String(authority[..<colon]).lowercased() }
        return authority.lowercased()
    }

    static func isIPAddress(_ host: String) -> Bool {
        if host.contains(":") { return true }  // IPv6
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
        }
    }
}
