/// One data upload as the simulator saw it.
public struct UploadRecord: Codable, Sendable, Hashable {
    public var uploadToken: String
    public var server: String
    public var username: String
    public var spaceID: String
    public var sourceName: String
    /// `setDataUploadOptions` entries, as sent (`name=value`).
    public var options: [String]
    public var bytesReceived: Int64
    public var chunks: Int
    /// Lowercase hex SHA-256 of every byte received, in order.
    public var sha256: String
    /// `finishDataUpload` was called.
    public var finished: Bool
    /// The analysis job has completed (Birst time has passed its duration).
    public var complete: Bool
    /// `statusCode` of the job: `Running` until complete, then the configured outcome.
    public var status: String
    public var message: String
    /// Birst-time seconds since the simulator started.
    public var begunAt: Double
    public var finishedAt: Double?
}
