/// One simulated server behind the load balancer: its login sessions and the job
/// tokens it issued (tokens are unknown on every other server).
struct ServerState: Sendable {
    var name: String
    var sessions: [String: LoginSession] = [:]
    var jobTokens: Set<String> = []
}
