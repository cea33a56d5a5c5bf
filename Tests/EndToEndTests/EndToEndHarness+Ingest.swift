import Baton
import BatonTestSupport
import Kafka
import Logging

extension EndToEndHarness {
    /// The ingest server in-process on a free port, publishing into the harness's topics;
    /// `body` gets its `/events` URL (bounded by 30 s).
    func withIngest(
        token: String? = "t0ken", hmacSecret: String? = nil, sns: SNSGate? = nil, logger ingestLogger: Logger? = nil,
        _ body: @escaping @Sendable (String) async throws -> Void
    ) async throws {
        let configuration = try await configuration()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(configuration.kafka.producerProperties), logger: logger)
        let server = IngestServer(
            host: "127.0.0.1", port: 0, maxBodySize: 64 * 1024,
            authenticator: IngestAuthenticator(token: token, hmacSecret: hmacSecret),
            publisher: JobPublisher(
                factory: JobFactory(routes: try configuration.routeTable(), retries: 10),
                records: JobRecords(topics: configuration.topics, workerID: "ingest-test"),
                sink: producer, logger: logger
            ),
            sns: sns,
            logger: ingestLogger ?? logger
        )
        defer { Task { await producer.shutdown(timeout: .seconds(2)) } }
        try await withRunningServer(logger: logger, { server.application(onListening: $0) }) { port in
            try await withTimeout(30, "the ingest scenario") { try await body("http://127.0.0.1:\(port)/events") }
        }
    }
}
