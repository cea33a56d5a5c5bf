import BatonTestSupport
import Hummingbird
import Logging
import Synchronization

/// The two things `baton ingest` fetches from Amazon SNS, served over real HTTP on
/// loopback: the signing certificate (`GET /cert.pem`) and the subscription confirmation
/// (`GET /confirm?Action=ConfirmSubscription&Token=…`). Records every request.
final class FakeSNSEndpoint: Sendable {
    let signer: SNSTestSigner
    /// Requests for the certificate so far.
    let certificateFetches = Mutex(0)
    /// The `Token` of each confirmation request, in order.
    let confirmedTokens = Mutex<[String]>([])

    init(signer: SNSTestSigner) {
        self.signer = signer
    }

    /// Serves for `body`, which gets the base URL (`http://127.0.0.1:<port>`).
    func run(_ body: @escaping @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.get("/cert.pem") { _, _ -> Response in
            self.certificateFetches.withLock { $0 += 1 }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: self.signer.certificatePEM)))
        }
        router.get("/confirm") { request, _ -> Response in
            let token = request.uri.queryParameters["Token"].map(String.init) ?? ""
            self.confirmedTokens.withLock { $0.append(token) }
            let xml = """
                <ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult>\
                <SubscriptionArn>arn:aws:sns:eu-west-1:123456789012:reports:\(token)</SubscriptionArn>\
                </ConfirmSubscriptionResult></ConfirmSubscriptionResponse>
                """
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: xml)))
        }
        var logger = Logger(label: "test.fake-sns")
        logger.logLevel = .warning
        try await withRunningServer(logger: logger, { [logger] onListening in
            Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: logger
            )
        }) { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }
}
