import Foundation

/// Removes secrets (login tokens, the password) from text before it reaches an
/// error message or a log line.
struct Redactor: Sendable {
    static let placeholder = "<redacted>"
    private var secrets: [String] = []

    init(_ secrets: [String?] = []) {
        for secret in secrets { if let secret { add(secret) } }
    }

    /// Secrets shorter than 4 characters are not searched for (they would mangle text);
    /// one already known is not added again.
    mutating func add(_ secret: String) {
        guard secret.count >= 4, !secrets.contains(secret) else { return }
        secrets.append(secret)
        if let escaped = XMLText.escape(secret), escaped != secret { secrets.append(escaped) }
    }

    func callAsFunction(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: Self.placeholder)
        }
        return text
    }
}
