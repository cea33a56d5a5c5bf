import Foundation

/// Removes credentials from URLs before they appear in errors or logs: the user-info part
/// (`user:password@`) and the values of query parameters whose names look like secrets
/// (presigned S3 URLs carry `X-Amz-Signature`, `X-Amz-Credential`, `X-Amz-Security-Token`).
public enum URLRedaction {
    static let sensitiveNameParts = ["signature", "credential", "token", "password", "secret", "key", "auth"]

    public static func redact(_ url: String) -> String {
        var text = Substring(url)
        var result = ""
        if let schemeEnd = text.range(of: "://") {
            result += text[..<schemeEnd.upperBound]
            text = text[schemeEnd.upperBound...]
            let authorityEnd = text.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? text.endIndex
            let authority = text[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                result += authority[authority.index(after: at)...]
            } else {
                result += authority
            }
            text = text[authorityEnd...]
        }
        guard let question = text.firstIndex(of: "?") else { return result + text }
        result += text[...question]
        var query = text[text.index(after: question)...]
        var fragment: Substring = ""
        if let hash = query.firstIndex(of: "#") {
            fragment = query[hash...]
            query = query[..<hash]
        }
        let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
            guard let equals = part.firstIndex(of: "=") else { return String(part) }
            let name = part[..<equals].lowercased()
            if sensitiveNameParts.contains(where: { name.contains($0) }) {
                return "\(part[..<equals])=REDACTED"
            }
            return String(part)
        }
        return result + parts.joined(separator: "&") + fragment
    }
}
