/// Where in Birst the report goes and who hears about it; chosen by the route that
/// matched the S3 object when the job was created.
public struct JobTarget: Sendable, Hashable, Codable {
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
    /// Fields of the object this version does not model, kept verbatim and written back: a newer producer and an older worker can
    /// then coexist during a rolling deploy (DESIGN.md §3).
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

    private enum Field {
        static let route = AnyCodingKey("route"), spaceId = AnyCodingKey("spaceId"), sourceName = AnyCodingKey("sourceName")
        static let subgroups = AnyCodingKey("subgroups"), uploadOptions = AnyCodingKey("uploadOptions"), notifyEmail = AnyCodingKey("notifyEmail")
        static let notifyWebhook = AnyCodingKey("notifyWebhook"), emptyObjects = AnyCodingKey("emptyObjects")
        static let known: Set<String> = ["route", "spaceId", "sourceName", "subgroups", "uploadOptions", "notifyEmail", "notifyWebhook", "emptyObjects"]
    }

    /// Required: `spaceId`, `sourceName`. The lists default to empty when absent or null;
    /// `emptyObjects` (added later) is left out when nil, the other optionals written as `null`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        route = try container.decodeIfPresent(String.self, forKey: Field.route)
        spaceId = try container.decode(String.self, forKey: Field.spaceId)
        sourceName = try container.decode(String.self, forKey: Field.sourceName)
        subgroups = try container.decodeIfPresent([String].self, forKey: Field.subgroups) ?? []
        uploadOptions = try container.decodeIfPresent([String].self, forKey: Field.uploadOptions) ?? []
        notifyEmail = try container.decodeIfPresent([String].self, forKey: Field.notifyEmail) ?? []
        notifyWebhook = try container.decodeIfPresent(String.self, forKey: Field.notifyWebhook)
        emptyObjects = try container.decodeIfPresent(EmptyObjectPolicy.self, forKey: Field.emptyObjects)
        unknownFields = try container.unknownFields(known: Field.known)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encodeOrNull(route, forKey: Field.route)
        try container.encode(spaceId, forKey: Field.spaceId)
        try container.encode(sourceName, forKey: Field.sourceName)
        try container.encode(subgroups, forKey: Field.subgroups)
        try container.encode(uploadOptions, forKey: Field.uploadOptions)
        try container.encode(notifyEmail, forKey: Field.notifyEmail)
        try container.encodeOrNull(notifyWebhook, forKey: Field.notifyWebhook)
        try container.encodeIfPresent(emptyObjects, forKey: Field.emptyObjects)
        try container.encodeUnknown(unknownFields)
    }
}
