/// One `publishData` as the simulator saw it.
public struct PublishRecord: Codable, Sendable, Hashable {
    public var jobToken: String
    public var server: String
    public var username: String
    public var spaceID: String
    public var subgroups: [String]
    /// The `date` parameter, as sent.
    public var date: String
    public var loadID: Int
    public var complete: Bool
    public var status: String
    public var message: String
    /// Birst-time seconds since the simulator started.
    public var startedAt: Double
    public var completesAt: Double
}
