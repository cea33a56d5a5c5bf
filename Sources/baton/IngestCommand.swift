import ArgumentParser
import Baton
import Foundation
import Logging
import ServiceLifecycle

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Accept S3 event notifications over HTTP and publish their jobs.",
        discussion: """
            POST /events (or /) with any payload `baton publish --event` reads: S3's notification \
            document, SNS/SQS-wrapped, EventBridge or a MinIO webhook. Answers:
              202  every job acknowledged by the broker (JSON: jobs and skipped records)
              200  SNS SubscriptionConfirmation confirmed, or UnsubscribeConfirmation logged
              400  not a usable S3 event (JSON: the precise reason)
              401  missing or wrong credentials
              403  SNS signature not verified, or a subscription not allowed (logged at warning)
              413  body larger than ingest.maxBodySize
              502  SNS SubscribeURL failed
              503  the broker did not acknowledge; retry later
            GET /healthz answers 200 when the broker answers a metadata request (checked at \
            most every 3 s, within 2 s), else 503 with the reason: use it for readiness. GET \
            /livez answers 200 while the server runs: use it for liveness.

            Callers authenticate with `Authorization: Bearer $BATON_INGEST_TOKEN`, or sign the \
            body with `X-Baton-Signature: sha256=<hex HMAC-SHA256 keyed with \
            $BATON_INGEST_HMAC_SECRET>`. Amazon SNS messages are verified by their signature \
            (ingest.sns.verifySignatures); a signed message from a topic in ingest.sns.topicArns \
            needs no token, and subscriptions to those topics are confirmed. SIGTERM or SIGINT \
            stops it gracefully. A port in use is an error naming the address.

            Examples:
              BATON_INGEST_TOKEN=… baton ingest --listen 0.0.0.0:8080
              curl -H "Authorization: Bearer $BATON_INGEST_TOKEN" --data @event.json http://127.0.0.1:8080/events
              curl -i http://127.0.0.1:8080/healthz
            """
    )

    @OptionGroup var config: ConfigOptions

    @Option(help: ArgumentHelp("Address to listen on (ingest.listen).", valueName: "HOST:PORT"))
    var listen: String?

    func run() async throws {
        let configuration = try await config.load(flags: ["ingest.listen": listen])
        try configuration.ingest.validateAuthentication()
        let (host, port) = try Self.split(configuration.ingest.listen)
        let logger = Logger(label: "baton.ingest")
        let clients = KafkaClients(configuration: configuration, logger: logger)
        let producer = try clients.producer()
        let admin = try clients.admin()
        defer { admin.shutdown() }
        let server = IngestServer(
            host: host, port: port, maxBodySize: configuration.ingest.maxBodySize,
            authenticator: IngestAuthenticator(token: configuration.ingest.token, hmacSecret: configuration.ingest.hmacSecret),
            publisher: try clients.publisher(through: producer, workerID: "ingest-\(ProcessInfo.processInfo.processIdentifier)"),
            sns: try SNSGate(settings: configuration.ingest.sns, logger: logger),
            brokerHealth: BrokerHealth(admin: admin, servers: configuration.kafka.bootstrapServers),
            logger: logger
        )
        let application = server.application { port in
            logger.info("ingest listening", metadata: ["url": "http://\(host):\(port)/events"])
        }
        let group = ServiceGroup(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            await producer.shutdown(timeout: .seconds(2))
            if let message = server.bindFailure(error) { throw CommandFailure(message) }
            throw error
        }
        await producer.shutdown(timeout: .seconds(10))
    }

    static func split(_ address: String) throws -> (String, Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("expected HOST:PORT, got \"\(address)\"")
        }
        return (String(address[..<colon]), port)
    }
}
