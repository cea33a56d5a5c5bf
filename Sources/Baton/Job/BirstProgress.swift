import Foundation

/// What Birst has done for the job so far: the baton itself. The login token is not
/// here on purpose: it is a credential, and topics are not a place for credentials.
public struct BirstProgress: Sendable, Hashable, Codable {
    /// The endpoint the job's tokens belong to.
    public var server: String?
    /// The load balancer's affinity cookie (serialized cookie jar): job tokens are valid
    /// only on the server that issued them.
    public var affinityCookie: String?
    public var uploadToken: String?
    public var uploadedBytes: Int
    public var publishToken: String?
    public var uploadStartedAt: Date?
    public var uploadFinishedAt: Date?
    public var publishStartedAt: Date?
    public var publishFinishedAt: Date?
    /// When a slice recorded its intent to call `publishData` (acknowledged on the jobs
    /// topic before the call). With the stage still `publish` and no `publishToken`, a
    /// publish may have started that nobody holds a token for: its fate is unknown, and
    /// the job never calls `publishData` again (``PublishStage``).
    public var publishRequestedAt: Date?
    /// Fields of the object this version does not model, kept verbatim and written back: a newer producer and an older worker can
    /// then coexist during a rolling deploy (DESIGN.md §3).
    public var unknownFields: [String: JSONValue] = [:]

    public init(server: String? = nil, affinityCookie: String? = nil, uploadToken: String? = nil, uploadedBytes: Int = 0, publishToken: String? = nil) {
        self.server = server
        self.affinityCookie = affinityCookie
        self.uploadToken = uploadToken
        self.uploadedBytes = uploadedBytes
        self.publishToken = publishToken
    }

    private enum Field {
        static let server = AnyCodingKey("server"), affinityCookie = AnyCodingKey("affinityCookie"), uploadToken = AnyCodingKey("uploadToken")
        static let uploadedBytes = AnyCodingKey("uploadedBytes"), publishToken = AnyCodingKey("publishToken")
        static let uploadStartedAt = AnyCodingKey("uploadStartedAt"), uploadFinishedAt = AnyCodingKey("uploadFinishedAt")
        static let publishStartedAt = AnyCodingKey("publishStartedAt"), publishFinishedAt = AnyCodingKey("publishFinishedAt")
        static let publishRequestedAt = AnyCodingKey("publishRequestedAt")
        static let known: Set<String> = [
            "server", "affinityCookie", "uploadToken", "uploadedBytes", "publishToken", "uploadStartedAt", "uploadFinishedAt",
            "publishStartedAt", "publishFinishedAt", "publishRequestedAt",
        ]
    }

    /// Every field may be absent or null: `uploadedBytes` then reads as 0. The times were
    /// added after the first version and are left out when nil, so envelopes without them
    /// stay as they were; the other optionals are written as `null`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        server = try container.decodeIfPresent(String.self, forKey: Field.server)
        affinityCookie = try container.decodeIfPresent(String.self, forKey: Field.affinityCookie)
        uploadToken = try container.decodeIfPresent(String.self, forKey: Field.uploadToken)
        uploadedBytes = try container.decodeIfPresent(Int.self, forKey: Field.uploadedBytes) ?? 0
        publishToken = try container.decodeIfPresent(String.self, forKey: Field.publishToken)
        uploadStartedAt = try container.timeIfPresent(Field.uploadStartedAt)
        uploadFinishedAt = try container.timeIfPresent(Field.uploadFinishedAt)
        publishStartedAt = try container.timeIfPresent(Field.publishStartedAt)
        publishFinishedAt = try container.timeIfPresent(Field.publishFinishedAt)
        publishRequestedAt = try container.timeIfPresent(Field.publishRequestedAt)
        unknownFields = try container.unknownFields(known: Field.known)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encodeOrNull(server, forKey: Field.server)
        try container.encodeOrNull(affinityCookie, forKey: Field.affinityCookie)
        try container.encodeOrNull(uploadToken, forKey: Field.uploadToken)
        try container.encode(uploadedBytes, forKey: Field.uploadedBytes)
        try container.encodeOrNull(publishToken, forKey: Field.publishToken)
        try container.encodeTimeIfPresent(uploadStartedAt, forKey: Field.uploadStartedAt)
        try container.encodeTimeIfPresent(uploadFinishedAt, forKey: Field.uploadFinishedAt)
        try container.encodeTimeIfPresent(publishStartedAt, forKey: Field.publishStartedAt)
        try container.encodeTimeIfPresent(publishFinishedAt, forKey: Field.publishFinishedAt)
        try container.encodeTimeIfPresent(publishRequestedAt, forKey: Field.publishRequestedAt)
        try container.encodeUnknown(unknownFields)
    }
}
