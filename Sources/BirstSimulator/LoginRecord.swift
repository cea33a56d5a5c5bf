/// One successful `Login`. (The simulator is a test double: it shows the token so
/// tests can prove clients never log it.)
public struct LoginRecord: Codable, Sendable, Hashable {
    public var server: String
    public var username: String
    public var token: String
    /// Birst-time seconds since the simulator started.
    public var at: Double
}
