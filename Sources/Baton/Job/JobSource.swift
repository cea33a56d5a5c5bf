/// The S3 object a job moves.
public struct JobSource: Sendable, Hashable, Codable, JSONObjectCoding {
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

    static var fields: [JSONField<JobSource>] {
        [
            .required("bucket", \.bucket), .required("key", \.key), .nullable("size", \.size), .nullable("eTag", \.eTag),
            .nullable("versionId", \.versionId), .nullable("sequencer", \.sequencer), .nullable("eventTime", \.eventTime),
        ]
    }

    static var decodingStart: JobSource { JobSource(bucket: "", key: "") }

    public init(from decoder: any Decoder) throws { try self.init(fields: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeFields(to: encoder) }
}
