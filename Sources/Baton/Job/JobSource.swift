/// The S3 object a job moves.
public struct JobSource: Sendable, Hashable, Codable, PreservesUnknownFields {
    public var bucket: String
    public var key: String
    public var size: Int?
    public var eTag: String?
    public var versionId: String?
    public var sequencer: String?
    public var eventTime: String?
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

    enum Field: String, CodingKey, CaseIterable {
        case bucket, key, size, eTag, versionId, sequencer, eventTime
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Field.self)
        bucket = try container.decode(String.self, forKey: .bucket)
        key = try container.decode(String.self, forKey: .key)
        size = try container.decodeIfPresent(Int.self, forKey: .size)
        eTag = try container.decodeIfPresent(String.self, forKey: .eTag)
        versionId = try container.decodeIfPresent(String.self, forKey: .versionId)
        sequencer = try container.decodeIfPresent(String.self, forKey: .sequencer)
        eventTime = try container.decodeIfPresent(String.self, forKey: .eventTime)
        unknownFields = try Self.unknownFields(in: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Field.self)
        try container.encode(bucket, forKey: .bucket)
        try container.encode(key, forKey: .key)
        try container.encode(size, forKey: .size)
        try container.encode(eTag, forKey: .eTag)
        try container.encode(versionId, forKey: .versionId)
        try container.encode(sequencer, forKey: .sequencer)
        try container.encode(eventTime, forKey: .eventTime)
        try encodeUnknownFields(to: encoder)
    }
}
