/// `baton ingest`: the HTTP endpoint that accepts S3 event notifications.
public struct IngestSettings: Sendable, Equatable {
    public var listen: String
    public var maxBodySize: Int
    /// Callers present `Authorization: Bearer <token>` (BATON_INGEST_TOKEN).
    public var token: String?
    /// Callers sign the body: `X-Baton-Signature: sha256=<hex HMAC-SHA256>` (BATON_INGEST_HMAC_SECRET).
    public var hmacSecret: String?
    /// For local experiments only: accept requests without a token or signature.
    public var allowUnauthenticated: Bool
    /// Amazon SNS over HTTP(S): subscription confirmation and message signatures.
    public var sns: SNSSettings

    static func load(_ settings: SettingsReader) throws -> IngestSettings {
        IngestSettings(
            listen: settings.string("ingest.listen", default: "127.0.0.1:8080"),
            maxBodySize: try settings.byteCount("ingest.maxBodySize", default: 1 << 20, range: 1024...(256 << 20)),
            token: try settings.secret("ingest.token"),
            hmacSecret: try settings.secret("ingest.hmacSecret"),
            allowUnauthenticated: try settings.bool("ingest.allowUnauthenticated", default: false),
            sns: try SNSSettings.load(settings)
        )
    }

    /// Refuses to serve an open endpoint by accident. Signed SNS messages from
    /// `ingest.sns.topicArns` authenticate themselves when signatures are verified.
    public func validateAuthentication() throws {
        let snsAuthenticates = sns.verifySignatures && !sns.topicArns.isEmpty
        guard token != nil || hmacSecret != nil || allowUnauthenticated || snsAuthenticates else {
            throw ConfigurationError(
                key: "ingest.token",
                message: "the ingest endpoint needs BATON_INGEST_TOKEN or BATON_INGEST_HMAC_SECRET, or ingest.sns.topicArns with ingest.sns.verifySignatures (or ingest.allowUnauthenticated=true for local experiments)"
            )
        }
    }
}
