import Hummingbird
import Logging

/// `GET /metrics`: the aggregate in Prometheus text exposition format 0.0.4, for a
/// Prometheus server to scrape (`baton metrics --serve HOST:PORT`).
public struct MetricsServer: Sendable {
    public var host: String
    public var port: Int
    public var aggregator: MetricsAggregator
    public var logger: Logger

    public init(host: String, port: Int, aggregator: MetricsAggregator, logger: Logger) {
        self.host = host
        self.port = port
        self.aggregator = aggregator
        self.logger = logger
    }

    /// The server as a service (runs until graceful shutdown); `onListening` receives the
    /// bound port.
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { [aggregator] _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: aggregator.prometheusText()))
            )
        }
        router.get("/healthz") { _, _ in "ok\n" }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "baton-metrics"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
