import Foundation

/// Which URLs count as Amazon SNS endpoints: a message's `SigningCertURL` is fetched,
/// and a `SubscribeURL` confirmed, only when the URL's origin (`scheme://host[:port]`,
/// lowercased, no user info) matches ``pattern`` entirely.
///
/// AWS's rule ("Verifying the signatures of Amazon SNS messages"): the certificate comes
/// over HTTPS from `sns.<region>.amazonaws.com` (`.amazonaws.com.cn` in China) — that is
/// ``awsPattern``, the default. Tests and SNS emulators configure their own.
public struct SNSEndpointPolicy: Sendable, Equatable {
    /// HTTPS from `sns.<region>.amazonaws.com` or `sns.<region>.amazonaws.com.cn`.
    public static let awsPattern = #"https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?"#

    /// A regular expression over the whole origin.
    public let pattern: String

    /// - Throws: when `pattern` is not a valid regular expression.
    public init(pattern: String = Self.awsPattern) throws {
        _ = try Regex(pattern)
        self.pattern = pattern
    }

    /// Whether `url` is an absolute URL without user info whose origin matches ``pattern``.
    public func allows(_ url: String) -> Bool {
        guard let origin = Self.origin(of: url), let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: origin)) != nil
    }

    /// `scheme://host[:port]`, lowercased; nil for a relative or unparsable URL, or one
    /// with user info (`https://sns.eu-west-1.amazonaws.com@evil.example/` has host
    /// `evil.example` and is refused outright).
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.percentEncodedHost?.lowercased(), !host.isEmpty,
            components.percentEncodedUser == nil, components.percentEncodedPassword == nil
        else { return nil }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }
}
