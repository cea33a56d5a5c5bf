/// One "object created" event, whatever notification format carried it, with the key
/// already URL-decoded. Empty `eTag`, `versionId` and `sequencer` strings are stored as nil.
public struct S3ObjectEvent: Sendable, Hashable, Codable {
    public var bucket: String
    public var key: String
    public var size: Int?
    public var eTag: String?
    public var versionId: String?
    public var sequencer: String?
    public var eventTime: String?
    public var eventName: String
    public var region: String?
    public var format: S3EventFormat

    public init(
        bucket: String, key: String, size: Int? = nil, eTag: String? = nil, versionId: String? = nil,
        sequencer: String? = nil, eventTime: String? = nil, eventName: String = "ObjectCreated:Put",
        region: String? = nil, format: S3EventFormat = .manual
    ) {
        self.bucket = bucket
        self.key = key
        self.size = size
        // An empty string names nothing (Ceph RGW sends `"versionId": ""` on unversioned
        // buckets): it is stored as absent.
        self.eTag = eTag.flatMap { $0.isEmpty ? nil : $0 }
        self.versionId = versionId.flatMap { $0.isEmpty ? nil : $0 }
        self.sequencer = sequencer.flatMap { $0.isEmpty ? nil : $0 }
        self.eventTime = eventTime
        self.eventName = eventName
        self.region = region
        self.format = format
    }
}
