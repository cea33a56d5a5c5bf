/// The S3 object a job moves.
public struct JobSource: Sendable, Hashable, Codable {
    public var bucket: String
    public var key: String
    public var size: Int?
    public var eTag: String?
    public var versionId: String?
    public var sequencer: String?
    public var eventTime: String?
    /// Fields of the object this version does not model, kept verbatim and written back: a newer producer and an older worker can
    /// then coexist during a rolling deploy (DESIGN.md §3).
    public var unknownFields: [String: JSONValue] = [:]

    public init(bucket: String, key: String, size: Int? = nil, eTag: String? = nil, versionId: String? = nil, sequencer: String? = nil, eventTime: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.size = size
        self.eTag = eTag
        self.versionId = versionId
        self.sequencer = sequencer
        self.eventTime = eventTime
    }

    private enum Field {
        static let bucket = AnyCodingKey("bucket"), key = AnyCodingKey("key"), size = AnyCodingKey("size"), eTag = AnyCodingKey("eTag")
        static let versionId = AnyCodingKey("versionId"), sequencer = AnyCodingKey("sequencer"), eventTime = AnyCodingKey("eventTime")
        static let known: Set<String> = ["bucket", "key", "size", "eTag", "versionId", "sequencer", "eventTime"]
    }

    /// Required: `bucket`, `key`; the others may be absent or null (written as `null`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        bucket = try container.decode(String.self, forKey: Field.bucket)
        key = try container.decode(String.self, forKey: Field.key)
        size = try container.decodeIfPresent(Int.self, forKey: Field.size)
        eTag = try container.decodeIfPresent(String.self, forKey: Field.eTag)
        versionId = try container.decodeIfPresent(String.self, forKey: Field.versionId)
        sequencer = try container.decodeIfPresent(String.self, forKey: Field.sequencer)
        eventTime = try container.decodeIfPresent(String.self, forKey: Field.eventTime)
        unknownFields = try container.unknownFields(known: Field.known)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encode(bucket, forKey: Field.bucket)
        try container.encode(key, forKey: Field.key)
        try container.encodeOrNull(size, forKey: Field.size)
        try container.encodeOrNull(eTag, forKey: Field.eTag)
        try container.encodeOrNull(versionId, forKey: Field.versionId)
        try container.encodeOrNull(sequencer, forKey: Field.sequencer)
        try container.encodeOrNull(eventTime, forKey: Field.eventTime)
        try container.encodeUnknown(unknownFields)
    }
}
