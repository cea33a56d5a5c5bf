/// Everything the simulator starts with (`--config FILE` is this as JSON; every key is
/// optional). With no configuration it accepts `baton` / `baton-dev` and any space and
/// source name, creating spaces on first use.
public struct SimulatorConfiguration: Codable, Sendable, Hashable {
    /// Address to listen on; port 0 picks a free port (reported by `start()`).
    public var host: String
    public var port: Int
    /// Real time = Birst time × timeScale (0.01: a 40-minute publish takes 24 s).
    public var timeScale: Double
    /// Simulated servers behind the one endpoint (`app2101`, `app2102`, …).
    public var servers: Int
    /// username → password.
    public var users: [String: String]
    /// Known space ids; nil accepts any (created on first use).
    public var spaces: [String]?
    /// Known source names; nil accepts any.
    public var sources: [String]?
    /// Calls kept for inspection (oldest dropped first).
    public var maxRecordedCalls: Int
    /// Largest request body accepted, in bytes.
    public var maxRequestBytes: Int
    public var settings: SimulatorSettings

    public init(
        host: String = "127.0.0.1", port: Int = 0, timeScale: Double = 1, servers: Int = 3,
        users: [String: String] = ["baton": "baton-dev"], spaces: [String]? = nil, sources: [String]? = nil,
        maxRecordedCalls: Int = 10_000, maxRequestBytes: Int = 64 << 20, settings: SimulatorSettings = SimulatorSettings()
    ) {
        self.host = host
        self.port = port
        self.timeScale = timeScale
        self.servers = servers
        self.users = users
        self.spaces = spaces
        self.sources = sources
        self.maxRecordedCalls = maxRecordedCalls
        self.maxRequestBytes = maxRequestBytes
        self.settings = settings
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SimulatorConfiguration()
        self.init(
            host: try c.value(.host, or: d.host), port: try c.value(.port, or: d.port),
            timeScale: try c.value(.timeScale, or: d.timeScale), servers: try c.value(.servers, or: d.servers),
            users: try c.value(.users, or: d.users), spaces: try c.value(.spaces, or: d.spaces),
            sources: try c.value(.sources, or: d.sources),
            maxRecordedCalls: try c.value(.maxRecordedCalls, or: d.maxRecordedCalls),
            maxRequestBytes: try c.value(.maxRequestBytes, or: d.maxRequestBytes),
            settings: try c.value(.settings, or: d.settings))
    }
}
