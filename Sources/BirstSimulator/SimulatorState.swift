/// All simulated Birst state. Guarded by the engine's mutex; every method is synchronous.
struct SimulatorState {
    static let cookieName = "BirstAffinity"

    var configuration: SimulatorConfiguration
    var settings: SimulatorSettings
    var servers: [ServerState]
    var nextServer = 0
    var spaces: [String: SpaceState] = [:]
    var uploads: [String: UploadState] = [:]
    var uploadOrder: [String] = []
    var publishes: [String: PublishState] = [:]
    var publishOrder: [String] = []
    var logins: [LoginRecord] = []
    var calls: [CallRecord] = []
    var callsDropped = 0
    var callSequence = 0
    /// Birst-time seconds added by `POST /admin/clock/advance`.
    var clockOffset: Double = 0

    init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        self.settings = configuration.settings
        self.servers = (0..<max(1, configuration.servers)).map { ServerState(name: "app\(2101 + $0)") }
    }

    /// The server for a request: the one its affinity cookie names, else the next in
    /// round-robin order (what a load balancer does with a cookie-less request).
    mutating func route(cookie: String?) -> (server: Int, viaCookie: Bool) {
        if let cookie, let index = servers.firstIndex(where: { $0.name == cookie }) { return (index, true) }
        let index = nextServer % servers.count
        nextServer += 1
        return (index, false)
    }

    mutating func record(_ call: CallRecord) {
        calls.append(call)
        if calls.count > max(1, configuration.maxRecordedCalls) {
            calls.removeFirst()
            callsDropped += 1
        }
    }

    /// The wall-clock seconds to hold back the answer of a call of `operation` that has
    /// run (`delayAfterApplySeconds`, for a share `delayAfterApplyRate` of the calls),
    /// counting down `delayAfterApplyCalls` when set.
    mutating func takeDelayAfterApply(_ operation: String) -> Double {
        var knobs = settings.faults.knobs(for: operation)
        guard knobs.delayAfterApplySeconds > 0 else { return 0 }
        guard knobs.delayAfterApplyRate >= 1 || Double.random(in: 0..<1) < knobs.delayAfterApplyRate else { return 0 }
        if let remaining = knobs.delayAfterApplyCalls {
            guard remaining > 0 else { return 0 }
            knobs.delayAfterApplyCalls = remaining - 1
            settings.faults.operations[operation] = knobs
        }
        return knobs.delayAfterApplySeconds
    }

    mutating func nextSequence() -> Int {
        callSequence += 1
        return callSequence
    }

    /// The user behind a login token on this server; refreshes its idle timer.
    mutating func authenticate(_ operation: Operation, token: String, server: Int, now: Double) throws(SOAPFault) -> String {
        guard var session = servers[server].sessions[token] else {
            throw SOAPFault.invalidToken(operation.rawValue, token)
        }
        guard now - session.lastUsed <= settings.sessionIdleTimeoutSeconds else {
            servers[server].sessions[token] = nil
            throw SOAPFault.invalidToken(operation.rawValue, token)
        }
        session.lastUsed = now
        servers[server].sessions[token] = session
        return session.username
    }

    /// Known (or, with no configured list, created on first use).
    mutating func requireSpace(_ id: String, _ operation: Operation) throws(SOAPFault) {
        let known = configuration.spaces.map { $0.contains(id) } ?? !id.isEmpty
        guard known else {
            throw SOAPFault.server(operation.rawValue, "Space \(id) was not found or the user does not have access to it.")
        }
        if spaces[id] == nil { spaces[id] = SpaceState() }
    }

    func isBusy(_ spaceID: String, now: Double) -> String? {
        guard let token = spaces[spaceID]?.runningPublish, let job = publishes[token], !job.isComplete(at: now) else {
            return nil
        }
        return token
    }

    mutating func restartServers() {
        for index in servers.indices { servers[index].sessions = [:] }
    }

    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = [generator.next(), generator.next()] as [UInt64]
        return words.map { word in
            let text = String(word, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }
}
