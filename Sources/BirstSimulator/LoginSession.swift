/// A Birst login: the user it belongs to and when it was last used (simulated seconds),
/// for idle expiry.
struct LoginSession: Sendable {
    var username: String
    var lastUsed: Double
}
