import Foundation

/// JSON as operator commands print it (`--json`): one compact line per value, sorted
/// keys, ISO-8601 UTC times — the same coding Baton uses on its topics.
public enum OperatorJSON {
    /// `value` as one line of JSON.
    public static func line<T: Encodable>(_ value: T) -> String {
        let data = (try? BatonJSON.encoder().encode(value)) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads what ``line(_:)`` wrote (for scripts and tests in Swift).
    /// - Throws: `DecodingError` when the text is not such a value.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try BatonJSON.decoder().decode(type, from: Data(text.utf8))
    }
}
