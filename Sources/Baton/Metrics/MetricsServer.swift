import Hummingbird
import Logging

/// `baton metrics --serve HOST:PORT`: `GET /metrics`, the aggregate in Prometheus text
/// exposition format 0.0.4, for a Prometheus server to scrape; `GET /healthz`, 200 while
/// this server runs; and, when following a worker's metrics (``staleAfter`` set), the
/// worker's probes from ``WorkerProbe``: `GET /livez` and `GET /readyz`, 200 or 503 with
/// the reason as a line of text.
public struct MetricsServer: Sendable {
    public var host: String
    public var port: Int
    public var aggregator: MetricsAggregator
    public var logger: Logger
    /// How long the followed worker may go without a metrics line before `/livez` fails;
    /// nil when the lines come from finished files or standard input (probes always pass).
    public var staleAfter: Duration?

    public init(host: String, port: Int, aggregator: MetricsAggregator, logger: Logger, staleAfter: Duration? = nil) {
        self.host = host
        self.port = port
        self.aggregator = aggregator
        self.logger = logger
        self.staleAfter = staleAfter
    }

    /// The server as a service (runs until graceful shutdown); `onListening` receives the
    /// bound port.
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        let started = ContinuousClock.now
        router.get("/metrics") { [aggregator] _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: aggregator.prometheusText()))
            )
        }
        router.get("/healthz") { _, _ in "ok\n" }
        let liveness: @Sendable () -> WorkerProbe = { [aggregator, staleAfter] in
            guard let staleAfter else { return WorkerProbe(passes: true, reason: "not following a worker") }
            return WorkerProbe.liveness(lastLine: aggregator.lastLineRead, started: started, staleAfter: staleAfter)
        }
        router.get("/livez") { _, _ in Self.response(liveness()) }
        router.get("/readyz") { [aggregator, staleAfter] _, _ in
            guard staleAfter != nil else { return Self.response(liveness()) }
            return Self.response(WorkerProbe.readiness(alive: liveness(), environment: aggregator.environmentHealth))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "baton-metrics"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    private static func response(_ probe: WorkerProbe) -> Response {
        Response(
            status: probe.passes ? .ok : .serviceUnavailable,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: probe.reason + "\n"))
        )
    }
}
