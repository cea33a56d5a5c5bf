import Foundation
import Hummingbird
import NIOCore
import Logging
import S3Events
import ServiceLifecycle

/// `baton ingest`: accepts S3 event notifications over HTTP (`POST /events`) in every
/// form `baton publish --event` reads, and answers `202` only once the broker has
/// acknowledged every job, so a sender that sees 202 may forget the event.
///
/// Amazon SNS messages (HTTP(S) subscriptions) go through ``sns``: with signature
/// verification on, a message whose signature fails is refused with 403 before anything
/// else; a verified message from an allowed topic needs no token. A
/// `SubscriptionConfirmation` answers 200 when confirmed, 403 when not allowed (logged at
/// warning with the topic and `SubscribeURL`), 502 when `SubscribeURL` failed; an
/// `UnsubscribeConfirmation` is logged at warning and answered 200.
public struct IngestServer: Sendable {
    public var host: String
    public var port: Int
    public var maxBodySize: Int
    public var authenticator: IngestAuthenticator
    public var publisher: JobPublisher
    /// nil: SNS signatures are not verified and no subscription is confirmed.
    public var sns: SNSGate?
    /// What `GET /healthz` reports (nil: only that the server is up).
    public var brokerHealth: BrokerHealth?
    public var logger: Logger

    public init(
        host: String, port: Int, maxBodySize: Int, authenticator: IngestAuthenticator, publisher: JobPublisher,
        sns: SNSGate? = nil, brokerHealth: BrokerHealth? = nil, logger: Logger
    ) {
        self.brokerHealth = brokerHealth
        self.host = host
        self.port = port
        self.maxBodySize = maxBodySize
        self.authenticator = authenticator
        self.publisher = publisher
        self.sns = sns
        self.logger = logger
    }

    /// The server as a service (runs until graceful shutdown); `onListening` receives the
    /// bound port (useful with port 0).
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in await health() }
        router.get("/livez") { _, _ in "ok\n" }
        router.post("/events") { request, _ in try await handle(request) }
        router.post("/") { request, _ in try await handle(request) }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "baton-ingest"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// 200 when the broker answers (or nobody asked to check it), else 503 with the reason.
    func health() async -> Response {
        guard let brokerHealth else { return Self.json(.ok, ["status": "ok"]) }
        switch await brokerHealth.current() {
        case .reachable:
            return Self.json(.ok, ["status": "ok", "broker": "reachable"])
        case .unreachable(let reason):
            return Self.json(.serviceUnavailable, ["status": "unavailable", "broker": "unreachable", "reason": reason])
        }
    }

    /// "cannot listen on HOST:PORT: address already in use" for a bind failure, naming
    /// the address; nil for any other error.
    public func bindFailure(_ error: any Error) -> String? {
        guard let io = error as? IOError else { return nil }
        let reason = io.errnoCode == EADDRINUSE ? "address already in use" : String(cString: strerror(io.errnoCode))
        return "cannot listen on \(host):\(port): \(reason)"
    }

    func handle(_ request: Request) async throws -> Response {
        var request = request
        let body: [UInt8]
        do {
            body = Array(buffer: try await request.collectBody(upTo: maxBodySize))
        } catch {
            return Self.json(.contentTooLarge, ["error": "body larger than \(maxBodySize) bytes"])
        }
        let snsMessage: SNSMessage?
        do {
            snsMessage = try SNSMessage.parse(body)
        } catch let error as S3EventError {
            return Self.json(.badRequest, ["error": error.description])
        }
        var authenticatedBySNS = false
        if let snsMessage, let verifier = sns?.verifier {
            do {
                try await verifier.verify(snsMessage)
            } catch {
                logger.warning("SNS message refused: signature not verified", metadata: [
                    "topicArn": "\(snsMessage.topicArn)", "messageId": "\(snsMessage.messageId)",
                    "type": "\(snsMessage.type.rawValue)", "reason": "\(error)",
                ])
                return Self.json(.forbidden, ["error": "SNS message signature not verified: \(error)"])
            }
            // SNS itself sent it: confirmations reach the allow-list check below (and are
            // logged if refused); notifications only from allowed topics skip the token.
            authenticatedBySNS = snsMessage.type != .notification || sns?.isAllowed(topicArn: snsMessage.topicArn) == true
        }
        if !authenticatedBySNS, let reason = authenticator.reject(
            authorization: request.headers[.authorization],
            signature: request.headers.first { $0.name.canonicalName == "x-baton-signature" }?.value,
            body: body
        ) {
            logger.warning("ingest request refused", metadata: ["reason": "\(reason)"])
            return Self.json(.unauthorized, ["error": reason])
        }
        if let snsMessage {
            switch snsMessage.type {
            case .subscriptionConfirmation: return await confirm(snsMessage)
            case .unsubscribeConfirmation:
                logger.warning("SNS unsubscribe confirmation: this endpoint no longer receives the topic", metadata: [
                    "topicArn": "\(snsMessage.topicArn)", "subscribeURL": "\(snsMessage.subscribeURL ?? "")",
                ])
                return Self.json(.ok, ["status": "unsubscribed", "topicArn": snsMessage.topicArn])
            case .notification: break
            }
        }
        let batch: S3EventBatch
        do {
            batch = try S3EventParser.parse(body)
        } catch let error as S3EventError {
            return Self.json(.badRequest, ["error": error.description])
        }
        // With the broker known to be down, a publish would hold the sender for
        // kafka.deliveryTimeout (30 s) and then fail: refuse at once so it retries.
        if let brokerHealth, case .unreachable(let reason) = await brokerHealth.current() {
            logger.warning("refusing an event: the broker is unreachable", metadata: ["reason": "\(reason)"])
            return Self.json(.serviceUnavailable, ["error": "jobs could not be published; retry later (\(reason))"])
        }
        let published: [JobPublisher.Published]
        do {
            published = try await publisher.publish(batch.events)
        } catch {
            logger.error("could not publish jobs", metadata: ["error": "\(error)"])
            return Self.json(.serviceUnavailable, ["error": "jobs could not be published; retry later (\(error))"])
        }
        return Self.json(.accepted, [
            "jobs": published.map { item -> [String: String] in
                switch item.made {
                case .job(let job): ["jobId": job.jobId, "status": "queued", "bucket": item.event.bucket, "key": item.event.key]
                case .unrouted(let outcome): ["jobId": outcome.jobId, "status": "unrouted", "bucket": item.event.bucket, "key": item.event.key]
                case .skipped(let outcome): ["jobId": outcome.jobId, "status": "skipped", "bucket": item.event.bucket, "key": item.event.key, "reason": outcome.message ?? ""]
                }
            },
            "skipped": batch.skipped.map { ["path": $0.path, "reason": $0.reason] },
        ])
    }

    func confirm(_ message: SNSMessage) async -> Response {
        guard let sns else {
            logger.warning("SNS subscription not confirmed: ingest.sns is not set up", metadata: [
                "topicArn": "\(message.topicArn)", "subscribeURL": "\(message.subscribeURL ?? "")",
            ])
            return Self.json(.forbidden, ["error": "SNS subscriptions are not confirmed here", "topicArn": message.topicArn])
        }
        switch await sns.confirm(message) {
        case .confirmed(let arn):
            return Self.json(.ok, ["status": "confirmed", "topicArn": message.topicArn, "subscriptionArn": arn ?? ""])
        case .notAllowed(let reason):
            return Self.json(.forbidden, ["error": reason, "topicArn": message.topicArn])
        case .failed(let reason):
            return Self.json(.badGateway, ["error": reason, "topicArn": message.topicArn])
        }
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data + [0x0A]))
        )
    }
}
