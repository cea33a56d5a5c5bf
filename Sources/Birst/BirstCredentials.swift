/// A Birst web-service user. The password never appears in a description, a
/// debug description or a mirror (so neither in logs nor in `dump`).
public struct BirstCredentials: Sendable, Hashable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    public var username: String
    let password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "BirstCredentials(username: \(username), password: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["username": username, "password": "<redacted>"])
    }
}
