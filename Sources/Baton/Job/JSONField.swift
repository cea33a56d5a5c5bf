/// One field of a JSON object that a type models: its name and how it is read from and
/// written to the object. A type lists its fields once (`JSONObjectCoding.fields`), and
/// that list is its whole coding: which fields are required, which default when absent,
/// which are written as `null` and which are left out when nil.
struct JSONField<Object> {
    typealias Decoding = KeyedDecodingContainer<AnyCodingKey>
    typealias Encoding = KeyedEncodingContainer<AnyCodingKey>

    let name: String
    let decode: (inout Object, Decoding, AnyCodingKey) throws -> Void
    let encode: (Object, inout Encoding, AnyCodingKey) throws -> Void

    /// A field read and written by `decode` and `encode`, for rules the others do not
    /// cover (a version check, a readable error for an unknown enum case).
    init(
        _ name: String,
        decode: @escaping (inout Object, Decoding, AnyCodingKey) throws -> Void,
        encode: @escaping (Object, inout Encoding, AnyCodingKey) throws -> Void
    ) {
        self.name = name
        self.decode = decode
        self.encode = encode
    }

    /// A field that must be present and not null.
    static func required<Value: Codable>(_ name: String, _ path: WritableKeyPath<Object, Value>) -> JSONField {
        JSONField(name) { object, container, key in
            object[keyPath: path] = try container.decode(Value.self, forKey: key)
        } encode: { object, container, key in
            try container.encode(object[keyPath: path], forKey: key)
        }
    }

    /// A field that may be absent or null; written as `null` when nil.
    static func nullable<Value: Codable>(_ name: String, _ path: WritableKeyPath<Object, Value?>) -> JSONField {
        JSONField(name) { object, container, key in
            object[keyPath: path] = try container.decodeIfPresent(Value.self, forKey: key)
        } encode: { object, container, key in
            try container.encode(object[keyPath: path], forKey: key)
        }
    }

    /// A field that may be absent or null; left out when nil (fields added after the
    /// first version, so envelopes without them stay as they were).
    static func omittedWhenNil<Value: Codable>(_ name: String, _ path: WritableKeyPath<Object, Value?>) -> JSONField {
        JSONField(name) { object, container, key in
            object[keyPath: path] = try container.decodeIfPresent(Value.self, forKey: key)
        } encode: { object, container, key in
            try container.encodeIfPresent(object[keyPath: path], forKey: key)
        }
    }

    /// A field that takes `defaultValue` when absent or null; always written.
    static func defaulted<Value: Codable>(_ name: String, _ path: WritableKeyPath<Object, Value>, _ defaultValue: Value) -> JSONField {
        JSONField(name) { object, container, key in
            object[keyPath: path] = try container.decodeIfPresent(Value.self, forKey: key) ?? defaultValue
        } encode: { object, container, key in
            try container.encode(object[keyPath: path], forKey: key)
        }
    }
}
