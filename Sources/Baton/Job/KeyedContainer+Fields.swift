import Foundation

// How `JobEnvelope`, `JobSource`, `JobTarget` and `BirstProgress` read and write their
// JSON objects: each names its fields once in a hand-written `init(from:)` and
// `encode(to:)` over one container keyed by field name, and keeps every field it does not
// model verbatim in `unknownFields`, so a newer producer and an older worker can coexist
// during a rolling deploy (DESIGN.md §3).
//
// Hand-written rather than a table of fields: a list of closures over key paths, rebuilt
// for every object, made decoding and encoding an envelope cost about twice as much CPU
// (docs/benchmarks.md, "The hop"). Times are read and written here as ISO-8601 text
// (``Timestamp``) directly: the same text as ``BatonJSON``'s date strategy, without its detour.

extension KeyedDecodingContainer where K == AnyCodingKey {
    /// A time that must be present: ISO-8601 text.
    func time(_ key: AnyCodingKey) throws -> Date {
        try Self.time(decode(String.self, forKey: key), key: key, in: self)
    }

    /// A time that may be absent or null.
    func timeIfPresent(_ key: AnyCodingKey) throws -> Date? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        return try Self.time(text, key: key, in: self)
    }

    private static func time(_ text: String, key: AnyCodingKey, in container: Self) throws -> Date {
        switch UTCTimestamp.read(text) {
        case .success(let date): return date
        case .failure(let problem):
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "expected an ISO-8601 time, got \"\(text)\": \(problem.reason)")
        }
    }

    /// Every field of the object not named in `known`, as it was.
    func unknownFields(known: Set<String>) throws -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for key in allKeys where !known.contains(key.stringValue) {
            fields[key.stringValue] = try decode(JSONValue.self, forKey: key)
        }
        return fields
    }
}

extension KeyedEncodingContainer where K == AnyCodingKey {
    /// A field written as `null` when nil.
    mutating func encodeOrNull<Value: Encodable>(_ value: Value?, forKey key: AnyCodingKey) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    /// A time as ISO-8601 text (``Timestamp``), the form ``BatonJSON`` writes every time in.
    mutating func encodeTime(_ date: Date, forKey key: AnyCodingKey) throws {
        try encode(Timestamp.format(date), forKey: key)
    }

    /// A time, or `null`.
    mutating func encodeTimeOrNull(_ date: Date?, forKey key: AnyCodingKey) throws {
        if let date { try encodeTime(date, forKey: key) } else { try encodeNil(forKey: key) }
    }

    /// A time, or nothing at all when nil.
    mutating func encodeTimeIfPresent(_ date: Date?, forKey key: AnyCodingKey) throws {
        if let date { try encodeTime(date, forKey: key) }
    }

    /// The fields a type did not model, as they were read.
    mutating func encodeUnknown(_ fields: [String: JSONValue]) throws {
        for (key, value) in fields { try encode(value, forKey: AnyCodingKey(key)) }
    }
}
