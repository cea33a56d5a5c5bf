/// Where in Birst the report goes and who hears about it; chosen by the route that
/// matched the S3 object when the job was created.
public struct JobTarget: Sendable, Hashable, Codable, JSONObjectCoding {
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

    static var fields: [JSONField<JobTarget>] {
        [
            .nullable("route", \.route), .required("spaceId", \.spaceId), .required("sourceName", \.sourceName),
            .defaulted("subgroups", \.subgroups, []), .defaulted("uploadOptions", \.uploadOptions, []),
            .defaulted("notifyEmail", \.notifyEmail, []), .nullable("notifyWebhook", \.notifyWebhook),
            .omittedWhenNil("emptyObjects", \.emptyObjects),
        ]
    }

    static var decodingStart: JobTarget { JobTarget(spaceId: "", sourceName: "") }

    public init(from decoder: any Decoder) throws { try self.init(fields: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeFields(to: encoder) }
}
