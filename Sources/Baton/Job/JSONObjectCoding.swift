/// A JSON object type whose coding is its list of fields, and which keeps the fields it
/// does not model verbatim: a newer producer and an older worker can then coexist during
/// a rolling deploy (DESIGN.md §3). `JobEnvelope`, `JobSource`, `JobTarget` and
/// `BirstProgress` code themselves with `init(fields:)` and `encodeFields(to:)`; their
/// public `Codable` members only forward, because a public type's `Codable` witnesses
/// cannot come from an internal protocol.
protocol JSONObjectCoding: Codable {
    /// The modelled fields, in the order they are read (the first problem found is the
    /// one a dead letter names).
    static var fields: [JSONField<Self>] { get }
    /// The value decoding starts from; every required field overwrites its part.
    static var decodingStart: Self { get }
    /// Fields of the object that `fields` does not name, kept verbatim.
    var unknownFields: [String: JSONValue] { get set }
}

extension JSONObjectCoding {
    /// Reads `fields` and keeps every other field of the object in `unknownFields`.
    init(fields decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let fields = Self.fields
        var object = Self.decodingStart
        for field in fields {
            try field.decode(&object, container, AnyCodingKey(field.name))
        }
        let known = Set(fields.map(\.name))
        object.unknownFields = [:]
        for key in container.allKeys where !known.contains(key.stringValue) {
            object.unknownFields[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self = object
    }

    /// Writes `fields` and then `unknownFields`.
    func encodeFields(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        for field in Self.fields {
            try field.encode(self, &container, AnyCodingKey(field.name))
        }
        for (key, value) in unknownFields {
            try container.encode(value, forKey: AnyCodingKey(key))
        }
    }
}
