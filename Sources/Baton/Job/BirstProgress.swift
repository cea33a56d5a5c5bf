import Foundation

/// What Birst has done for the job so far: the baton itself. The login token is not
/// here on purpose: it is a credential, and topics are not a place for credentials.
public struct BirstProgress: Sendable, Hashable, Codable, PreservesUnknownFields {
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
    public var unknownFields: [String: JSONValue] = [:]

    public init(server: String? = nil, affinityCookie: String? = nil, uploadToken: String? = nil, uploadedBytes: Int = 0, publishToken: String? = nil) {
        self.server = server
        self.affinityCookie = affinityCookie
        self.uploadToken = uploadToken
        self.uploadedBytes = uploadedBytes
        self.publishToken = publishToken
    }

    enum Field: String, CodingKey, CaseIterable {
        case server, affinityCookie, uploadToken, uploadedBytes, publishToken
        case uploadStartedAt, uploadFinishedAt, publishStartedAt, publishFinishedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Field.self)
        server = try container.decodeIfPresent(String.self, forKey: .server)
        affinityCookie = try container.decodeIfPresent(String.self, forKey: .affinityCookie)
        uploadToken = try container.decodeIfPresent(String.self, forKey: .uploadToken)
        uploadedBytes = try container.decodeIfPresent(Int.self, forKey: .uploadedBytes) ?? 0
        publishToken = try container.decodeIfPresent(String.self, forKey: .publishToken)
        uploadStartedAt = try container.decodeIfPresent(Date.self, forKey: .uploadStartedAt)
        uploadFinishedAt = try container.decodeIfPresent(Date.self, forKey: .uploadFinishedAt)
        publishStartedAt = try container.decodeIfPresent(Date.self, forKey: .publishStartedAt)
        publishFinishedAt = try container.decodeIfPresent(Date.self, forKey: .publishFinishedAt)
        unknownFields = try Self.unknownFields(in: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Field.self)
        try container.encode(server, forKey: .server)
        try container.encode(affinityCookie, forKey: .affinityCookie)
        try container.encode(uploadToken, forKey: .uploadToken)
        try container.encode(uploadedBytes, forKey: .uploadedBytes)
        try container.encode(publishToken, forKey: .publishToken)
        try container.encodeIfPresent(uploadStartedAt, forKey: .uploadStartedAt)
        try container.encodeIfPresent(uploadFinishedAt, forKey: .uploadFinishedAt)
        try container.encodeIfPresent(publishStartedAt, forKey: .publishStartedAt)
        try container.encodeIfPresent(publishFinishedAt, forKey: .publishFinishedAt)
        try encodeUnknownFields(to: encoder)
    }
}
