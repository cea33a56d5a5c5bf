/// The keys a route may have, so that a typo (`spaceid:`) is an error with a suggestion
/// instead of a route that silently lacks the setting.
enum RouteKeys {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A misspelt or unknown key in a route; ``RouteTable/parse(_:path:)`` names the file.
    struct Unknown: Error, CustomStringConvertible {
        var description: String

        /// The error itself, or the one Yams's decoder wrapped in a `DecodingError`.
        static func unwrap(_ error: any Error) -> Unknown? {
            if let unknown = error as? Unknown { return unknown }
            if case .dataCorrupted(let context) = error as? DecodingError, let underlying = context.underlyingError {
                return unwrap(underlying)
            }
            return nil
        }
    }

    /// Every key ``Route`` decodes: the list cannot drift from the decoder.
    static let route = Route.CodingKeys.allCases.map(\.stringValue)
    static let notify = ["email", "webhook"]

    /// Throws ``Unknown`` when the mapping `decoder` reads holds a key outside `known`.
    static func check(_ decoder: any Decoder, known: [String], section: String) throws {
        let present = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        let unknown = present.filter { !known.contains($0) }.sorted()
        guard !unknown.isEmpty else { return }
        let name = (try? decoder.container(keyedBy: AnyKey.self).decodeIfPresent(String.self, forKey: AnyKey(stringValue: "name"))) ?? nil
        let position = decoder.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        let which = name.map { "route \"\($0)\"" } ?? position
        let listed = unknown.map { "\"\($0)\"" + (Suggestion.closest(to: $0, among: known).map { " (did you mean \($0)?)" } ?? "") }
        throw Unknown(description: "\(which): unknown \(section) key\(unknown.count == 1 ? "" : "s") \(listed.joined(separator: ", ")); known keys: \(known.joined(separator: ", "))")
    }
}

extension Route {
    /// The placeholders templates may use in `spaceId` and `sourceName`.
    public static let placeholders = ["stem", "filename"]

    /// `{…}` placeholders in `template` that are not ``placeholders``.
    static func unknownPlaceholders(in template: String) -> [String] {
        var found: [String] = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = String(after[..<close])
            if !placeholders.contains(name) { found.append(name) }
            rest = after[after.index(after: close)...]
        }
        return found
    }
}
