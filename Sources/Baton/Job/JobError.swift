import Foundation

/// The last thing that went wrong, kept in the envelope for the next slice and for
/// operators reading the topic.
public struct JobError: Sendable, Hashable, Codable {
    public var kind: String
    public var message: String
    public var at: Date
    /// How many slices in a row ended with an error of this kind (drives the back-off).
    public var count: Int?
    /// Fields of the object this version does not model, kept verbatim and written back: a newer producer and an older worker can
    /// then coexist during a rolling deploy (DESIGN.md §3). A new error replacing this one
    /// starts without them: they described the old one.
    public var unknownFields: [String: JSONValue] = [:]

    public init(kind: String, message: String, at: Date = Date(), count: Int? = nil) {
        self.kind = kind
        self.message = message
        self.at = at
        self.count = count
    }

    private enum Field {
        static let kind = AnyCodingKey("kind"), message = AnyCodingKey("message"), at = AnyCodingKey("at"), count = AnyCodingKey("count")
        static let known: Set<String> = ["kind", "message", "at", "count"]
    }

    /// Required: `kind`, `message`, `at`; `count` may be absent or null and is left out when nil.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        kind = try container.decode(String.self, forKey: Field.kind)
        message = try container.decode(String.self, forKey: Field.message)
        at = try container.time(Field.at)
        count = try container.decodeIfPresent(Int.self, forKey: Field.count)
        unknownFields = try container.unknownFields(known: Field.known)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encode(kind, forKey: Field.kind)
        try container.encode(message, forKey: Field.message)
        try container.encodeTime(at, forKey: Field.at)
        try container.encodeIfPresent(count, forKey: Field.count)
        try container.encodeUnknown(unknownFields)
    }
}
