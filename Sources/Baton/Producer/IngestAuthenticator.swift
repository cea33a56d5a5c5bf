import Crypto
import Foundation

/// Checks that an ingest request comes from someone holding the token or signing key.
/// Comparisons are constant-time, so response timing reveals nothing about the secret.
public struct IngestAuthenticator: Sendable {
    public var token: String?
    public var hmacSecret: String?

    public init(token: String?, hmacSecret: String?) {
        self.token = token
        self.hmacSecret = hmacSecret
    }

    /// nil when the request is authentic; otherwise why not (safe to tell the caller).
    public func reject(authorization: String?, signature: String?, body: [UInt8]) -> String? {
        if token == nil, hmacSecret == nil { return nil }
        if let token, let authorization, authorization.hasPrefix("Bearer "),
            Self.constantTimeEqual(Array(authorization.dropFirst("Bearer ".count).utf8), Array(token.utf8))
        {
            return nil
        }
        if let hmacSecret, let signature, signature.hasPrefix("sha256=") {
            let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(hmacSecret.utf8)))
            let expected = Array(mac.map { String(format: "%02x", $0) }.joined().utf8)
            if Self.constantTimeEqual(Array(signature.dropFirst("sha256=".count).lowercased().utf8), expected) { return nil }
            return "the X-Baton-Signature does not match the body"
        }
        switch (token, hmacSecret) {
        case (.some, .some): return "expected Authorization: Bearer <token> or X-Baton-Signature: sha256=<hmac>"
        case (.some, nil): return "expected Authorization: Bearer <token>"
        default: return "expected X-Baton-Signature: sha256=<hex HMAC-SHA256 of the body>"
        }
    }

    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
