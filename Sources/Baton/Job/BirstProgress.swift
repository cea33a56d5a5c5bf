import Foundation

/// What Birst has done for the job so far: the baton itself. The login token is not
/// here on purpose: it is a credential, and topics are not a place for credentials.
public struct BirstProgress: Sendable, Hashable, Codable, JSONObjectCoding {
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
    public var unknownFields: [String: JSONValue] = [:]

    public init(server: String? = nil, affinityCookie: String? = nil, uploadToken: String? = nil, uploadedBytes: Int = 0, publishToken: String? = nil) {
        self.server = server
        self.affinityCookie = affinityCookie
        self.uploadToken = uploadToken
        self.uploadedBytes = uploadedBytes
        self.publishToken = publishToken
    }

    static var fields: [JSONField<BirstProgress>] {
        [
            .nullable("server", \.server), .nullable("affinityCookie", \.affinityCookie), .nullable("uploadToken", \.uploadToken),
            .defaulted("uploadedBytes", \.uploadedBytes, 0), .nullable("publishToken", \.publishToken),
            // Times added after the first version: envelopes without them stay as they were.
            .omittedWhenNil("uploadStartedAt", \.uploadStartedAt), .omittedWhenNil("uploadFinishedAt", \.uploadFinishedAt),
            .omittedWhenNil("publishStartedAt", \.publishStartedAt), .omittedWhenNil("publishFinishedAt", \.publishFinishedAt),
            .omittedWhenNil("publishRequestedAt", \.publishRequestedAt),
        ]
    }

    static var decodingStart: BirstProgress { BirstProgress() }

    public init(from decoder: any Decoder) throws { try self.init(fields: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeFields(to: encoder) }
}
