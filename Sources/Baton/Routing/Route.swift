/// One routing rule: which S3 objects it takes, and where in Birst they go.
public struct Route: Sendable, Hashable, Decodable {
    public var name: String
    public var bucket: Glob
    public var key: Glob
    public var spaceId: String
    /// Birst source name; `{stem}` (file name without extension) and `{filename}` are
    /// replaced from the object key, so one route can feed several sources (also in
    /// `spaceId`).
    public var sourceName: String
    public var subgroups: [String]
    public var uploadOptions: [String]
    public var notifyEmail: [String]
    public var notifyWebhook: String?
    /// What to do with an object of 0 bytes that is not a folder marker (folder markers
    /// are always skipped): `skip` (the default) or `upload`.
    public var emptyObjects: EmptyObjectPolicy

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, bucket, key, spaceId, sourceName, subgroups, uploadOptions, notify, emptyObjects
    }

    enum NotifyKeys: String, CodingKey {
        case email, webhook
    }

    public init(
        name: String, bucket: String, key: String = "**", spaceId: String, sourceName: String,
        subgroups: [String] = [], uploadOptions: [String] = [], notifyEmail: [String] = [], notifyWebhook: String? = nil,
        emptyObjects: EmptyObjectPolicy = .skip
    ) {
        self.name = name
        self.bucket = Glob(bucket)
        self.key = Glob(key)
        self.spaceId = spaceId
        self.sourceName = sourceName
        self.subgroups = subgroups
        self.uploadOptions = uploadOptions
        self.notifyEmail = notifyEmail
        self.notifyWebhook = notifyWebhook
        self.emptyObjects = emptyObjects
    }

    public init(from decoder: any Decoder) throws {
        try RouteKeys.check(decoder, known: RouteKeys.route, section: "route")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let notify = try? container.nestedContainer(keyedBy: NotifyKeys.self, forKey: .notify)
        if notify != nil {
            let notifyKeys = try container.nestedContainer(keyedBy: RouteKeys.AnyKey.self, forKey: .notify).allKeys.map(\.stringValue)
            if let unknown = notifyKeys.first(where: { !RouteKeys.notify.contains($0) }) {
                let name = (try? container.decode(String.self, forKey: .name)) ?? "?"
                throw RouteKeys.Unknown(description: "route \"\(name)\": unknown notify key \(Suggestion.annotate("\"\(unknown)\"", among: RouteKeys.notify.map { "\"\($0)\"" })); known keys: email, webhook")
            }
        }
        self.init(
            name: try container.decode(String.self, forKey: .name),
            bucket: try container.decode(String.self, forKey: .bucket),
            key: try container.decodeIfPresent(String.self, forKey: .key) ?? "**",
            spaceId: try container.decode(String.self, forKey: .spaceId),
            sourceName: try container.decode(String.self, forKey: .sourceName),
            subgroups: try container.decodeIfPresent([String].self, forKey: .subgroups) ?? [],
            uploadOptions: try container.decodeIfPresent([String].self, forKey: .uploadOptions) ?? ["ConsolidateIdenticalStructures=false"],
            notifyEmail: try notify?.decodeIfPresent([String].self, forKey: .email) ?? [],
            notifyWebhook: try notify?.decodeIfPresent(String.self, forKey: .webhook),
            emptyObjects: try container.decodeIfPresent(EmptyObjectPolicy.self, forKey: .emptyObjects) ?? .skip
        )
    }

    public func matches(bucket: String, key: String) -> Bool {
        self.bucket.matches(bucket) && self.key.matches(key)
    }

    /// The job's target for an object this route matched.
    public func target(forKey key: String) -> JobTarget {
        let filename = String(key.split(separator: "/").last ?? Substring(key))
        let stem = filename.lastIndex(of: ".").map { String(filename[..<$0]) } ?? filename
        func fill(_ template: String) -> String {
            template.replacingOccurrences(of: "{filename}", with: filename).replacingOccurrences(of: "{stem}", with: stem)
        }
        return JobTarget(
            route: name, spaceId: fill(spaceId), sourceName: fill(sourceName), subgroups: subgroups,
            uploadOptions: uploadOptions, notifyEmail: notifyEmail, notifyWebhook: notifyWebhook,
            emptyObjects: emptyObjects
        )
    }
}
