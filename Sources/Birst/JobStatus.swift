/// `getJobStatus` result: ask once `isJobComplete` answered true.
public struct JobStatus: Sendable, Hashable, Codable {
    /// `Complete`, `Failed`, `None` (an upload job without errors), or another value
    /// while the job runs.
    public var statusCode: String
    /// Read it when the job failed.
    public var message: String
    public var processingGroup: String
    public var type: Int?
    public var loadID: Int?

    public init(statusCode: String, message: String = "", processingGroup: String = "", type: Int? = nil, loadID: Int? = nil) {
        self.statusCode = statusCode
        self.message = message
        self.processingGroup = processingGroup
        self.type = type
        self.loadID = loadID
    }

    /// `Complete`, or `None` (how Birst reports an upload job that had no errors).
    public var succeeded: Bool { statusCode == "Complete" || statusCode == "None" }
    public var failed: Bool { statusCode == "Failed" }
}
