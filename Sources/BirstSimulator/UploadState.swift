import Crypto

/// One simulated server behind the load balancer: its login sessions and the job
/// tokens it issued (tokens are unknown on every other server).
struct ServerState: Sendable {
    var name: String
    var sessions: [String: LoginSession] = [:]
    var jobTokens: Set<String> = []
}

struct LoginSession: Sendable {
    var username: String
    var lastUsed: Double
}

struct SpaceState: Sendable {
    var loadNumber = 0
    var runningPublish: String?
}

/// Not Sendable (swift-crypto's SHA256 is not): lives only inside the engine's mutex.
struct UploadState {
    var token: String
    var server: Int
    var username: String
    var spaceID: String
    var sourceName: String
    var options: [String] = []
    var bytes: Int64 = 0
    var chunks = 0
    var hasher = SHA256()
    var begunAt: Double
    var finishedAt: Double?
    var completesAt: Double?
    var outcome: JobBehaviour?

    func isComplete(at now: Double) -> Bool {
        completesAt.map { now >= $0 } ?? false
    }
}

struct PublishState: Sendable {
    var token: String
    var server: Int
    var username: String
    var spaceID: String
    var subgroups: [String]
    var date: String
    var loadID: Int
    var startedAt: Double
    var completesAt: Double
    var outcome: JobBehaviour

    func isComplete(at now: Double) -> Bool { now >= completesAt }
}
