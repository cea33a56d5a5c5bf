import Birst
import Curl

/// Birst sessions shared by the slices of one worker, keyed by affinity cookie: jobs on
/// the same Birst server reuse one login instead of logging in every slice. A job
/// without a cookie yet joins the most recent session.
public actor BirstSessionPool {
    public nonisolated let client: BirstClient
    private let credentials: BirstCredentials
    private var sessions: [String: BirstSession] = [:]
    private var order: [String] = []
    private var newest: BirstSession?
    private let capacity: Int

    public init(client: BirstClient, credentials: BirstCredentials, capacity: Int = 256) {
        self.client = client
        self.credentials = credentials
        self.capacity = capacity
    }

    public func session(affinityCookie: String?) -> BirstSession {
        guard let affinityCookie, !affinityCookie.isEmpty else {
            if let newest { return newest }
            let session = client.session(credentials: credentials)
            newest = session
            return session
        }
        if let session = sessions[affinityCookie] {
            order.removeAll { $0 == affinityCookie }
            order.append(affinityCookie)
            return session
        }
        let session = BirstSession(client: client, credentials: credentials, affinityCookie: affinityCookie)
            ?? client.session(credentials: credentials)
        sessions[affinityCookie] = session
        order.append(affinityCookie)
        if order.count > capacity { sessions[order.removeFirst()] = nil }
        return session
    }
}
