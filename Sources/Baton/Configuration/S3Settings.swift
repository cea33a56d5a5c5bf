/// Where report objects are read from: AWS S3 or any S3-compatible endpoint.
public struct S3Settings: Sendable, Equatable {
    /// nil for AWS itself; an URL like `http://127.0.0.1:9000` for MinIO, moto, Ceph.
    public var endpoint: String?
    public var region: String
    /// Path-style addressing (`endpoint/bucket/key`), which S3-compatible servers need.
    public var pathStyle: Bool
    public var accessKeyID: String?
    public var secretAccessKey: String?
    public var sessionToken: String?
    public var timeout: Duration

    static func load(_ settings: SettingsReader) throws -> S3Settings {
        let endpoint = settings.string("s3.endpoint")
        return S3Settings(
            endpoint: endpoint,
            region: settings.string("s3.region", default: "us-east-1"),
            pathStyle: try settings.bool("s3.pathStyle", default: endpoint != nil),
            accessKeyID: settings.string("s3.accessKeyId"),
            secretAccessKey: try settings.secret("s3.secretAccessKey"),
            sessionToken: try settings.secret("s3.sessionToken"),
            timeout: try settings.duration("s3.timeout", default: .seconds(60), minimum: .milliseconds(100))
        )
    }
}
