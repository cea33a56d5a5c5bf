/// Everything the simulator has seen (`GET /admin/inspect`), so tests can assert
/// "uploaded exactly these bytes once, published once".
public struct Inspection: Codable, Sendable, Hashable {
    /// Birst-time seconds since the simulator started (scaled clock plus advances).
    public var simulatedTime: Double
    public var servers: [String]
    public var uploads: [UploadRecord]
    public var publishes: [PublishRecord]
    public var logins: [LoginRecord]
    public var calls: [CallRecord]
    /// Calls dropped from `calls` because of `maxRecordedCalls`.
    public var callsDropped: Int
}
