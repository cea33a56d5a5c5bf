/// Where and how an ``S3Client`` reaches S3.
public struct S3Configuration: Sendable {
    /// The service URL, e.g. `http://127.0.0.1:9000` for moto or MinIO (a path prefix is
    /// kept). `nil` means AWS: `https://s3.<region>.amazonaws.com`.
    public var endpoint: String?
    /// The signing region (SigV4 scope), e.g. `us-east-1`.
    public var region: String
    public var credentials: S3Credentials
    /// `true`: path-style URLs (`<endpoint>/<bucket>/<key>`), which moto and MinIO need.
    /// `false`: virtual-hosted style (`<bucket>.<host>/<key>`), as AWS prefers — except
    /// where that cannot work, which falls back to path style on its own: an endpoint whose
    /// host is an IP address or `localhost`, and bucket names with dots or capitals.
    public var pathStyle: Bool
    /// Time allowed to establish a connection.
    public var connectTimeout: Duration
    /// Time allowed for one whole request (a ranged GET of a large slice needs enough).
    public var timeout: Duration

    public init(
        endpoint: String? = nil,
        region: String = "us-east-1",
        credentials: S3Credentials,
        pathStyle: Bool = false,
        connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(60)
    ) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.pathStyle = pathStyle
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}
