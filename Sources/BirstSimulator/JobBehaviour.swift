/// How long a simulated job runs (Birst time, scaled by the time scale) and how it ends.
public struct JobBehaviour: Codable, Sendable, Hashable {
    public var durationSeconds: Double
    /// `statusCode` once complete: `Complete`, `None` (an upload without errors) or `Failed`.
    public var status: String
    /// `message` once complete (read it when the job failed).
    public var message: String

    public init(durationSeconds: Double, status: String, message: String = "") {
        self.durationSeconds = durationSeconds
        self.status = status
        self.message = message
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            durationSeconds: try c.value(.durationSeconds, or: 0),
            status: try c.value(.status, or: "Complete"),
            message: try c.value(.message, or: ""))
    }
}
