/// Where in Birst the report goes and who hears about it; chosen by the route that
/// matched the S3 object when the job was created.
public struct JobTarget: Sendable, Hashable, Codable, PreservesUnknownFields {
    public var route: String?
    public var spaceId: String
    public var sourceName: String
    public var subgroups: [String]
    /// `name=value` entries for setDataUploadOptions.
    public var uploadOptions: [String]
    public var notifyEmail: [String]
    public var notifyWebhook: String?
    /// The route's rule for an empty object; nil (older envelopes) means `skip`.
    public var emptyObjects: EmptyObjectPolicy?
    public var unknownFields: [String: JSONValue] = [:]

    public init(route: String? = nil, spaceId: String, sourceName: String, subgroups: [String] = [], uploadOptions: [String] = [], notifyEmail: [String] = [], notifyWebhook: String? = nil, emptyObjects: EmptyObjectPolicy? = nil) {
        self.route = route
        self.spaceId = spaceId
        self.sourceName = sourceName
        self.subgroups = subgroups
        self.uploadOptions = uploadOptions
        self.notifyEmail = notifyEmail
        self.notifyWebhook = notifyWebhook
        self.emptyObjects = emptyObjects
    }

    enum Field: String, CodingKey, CaseIterable {
        case route, spaceId, sourceName, subgroups, uploadOptions, notifyEmail, notifyWebhook, emptyObjects
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Field.self)
        route = try container.decodeIfPresent(String.self, forKey: .route)
        spaceId = try container.decode(String.self, forKey: .spaceId)
        sourceName = try container.decode(String.self, forKey: .sourceName)
        subgroups = try container.decodeIfPresent([String].self, forKey: .subgroups) ?? []
        uploadOptions = try container.decodeIfPresent([String].self, forKey: .uploadOptions) ?? []
        notifyEmail = try container.decodeIfPresent([String].self, forKey: .notifyEmail) ?? []
        notifyWebhook = try container.decodeIfPresent(String.self, forKey: .notifyWebhook)
        emptyObjects = try container.decodeIfPresent(EmptyObjectPolicy.self, forKey: .emptyObjects)
        unknownFields = try Self.unknownFields(in: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Field.self)
        try container.encode(route, forKey: .route)
        try container.encode(spaceId, forKey: .spaceId)
        try container.encode(sourceName, forKey: .sourceName)
        try container.encode(subgroups, forKey: .subgroups)
        try container.encode(uploadOptions, forKey: .uploadOptions)
        try container.encode(notifyEmail, forKey: .notifyEmail)
        try container.encode(notifyWebhook, forKey: .notifyWebhook)
        try container.encodeIfPresent(emptyObjects, forKey: .emptyObjects)
        try encodeUnknownFields(to: encoder)
    }
}
