import Birst

/// Where slices get their Birst conversations: one per affinity cookie, shared by the
/// slices of a worker (``BirstSessionPool``), or a unit test's scripted Birst.
public protocol BirstSessions: Sendable {
    /// The conversation for a job carrying `affinityCookie` (nil or empty: a job that has
    /// not talked to Birst yet).
    func session(affinityCookie: String?) async -> any BirstConnection
}

extension BirstSessionPool: BirstSessions {
    /// The pooled session for `affinityCookie`.
    public func session(affinityCookie: String?) async -> any BirstConnection {
        let session: BirstSession = session(affinityCookie: affinityCookie)
        return session
    }
}
