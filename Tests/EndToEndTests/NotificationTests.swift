import Baton
import BatonTestSupport
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// A webhook endpoint that fails its first `failures` calls with 500, then records; or
/// fails the calls `fails` picks (by call number, from 1, and body).
final class WebhookReceiver: Sendable {
    let received = Mutex<[String]>([])
    let calls = Mutex(0)
    let fails: @Sendable (_ call: Int, _ body: String) -> Bool

    init(failures: Int) {
        self.fails = { call, _ in call <= failures }
    }

    init(fails: @escaping @Sendable (_ call: Int, _ body: String) -> Bool) {
        self.fails = fails
    }

    func run(_ body: @escaping @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            var request = request
            let bytes = Array(buffer: try await request.collectBody(upTo: 1 << 20))
            let call = self.calls.withLock { $0 += 1; return $0 }
            let body = String(decoding: bytes, as: UTF8.self)
            guard !self.fails(call, body) else { return Response(status: .internalServerError) }
            self.received.withLock { $0.append(body) }
            return Response(status: .ok)
        }
        var logger = Logger(label: "test.webhook")
        logger.logLevel = .warning
        try await withRunningServer(logger: logger, { [logger] onListening in
            Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: logger
            )
        }) { port in
            try await body("http://127.0.0.1:\(port)/hook")
        }
    }
}

@Suite("End to end: notifications")
struct NotificationTests {
    @Test("a failing webhook is retried until it takes the outcome; an unreachable mail relay is given up; the outcome is recorded once")
    func retriedNotifications() async throws {
        let receiver = WebhookReceiver(failures: 1)
        try await receiver.run { hook in
            let harness = try await EndToEndHarness("notify", settings: [
                "notify.webhook": hook, "smtp.url": "smtp://127.0.0.1:1", "notify.maxAttempts": "3",
            ])
            defer { Task { await harness.stop() } }
            try await harness.putReport("n.csv", size: 10_000)
            let worker = try await harness.startWorker()
            let jobId = try #require(try await harness.publish(["n.csv"]).first)

            let retries = try await harness.jobMessages(atLeast: 1, within: 60) { messages in
                messages.filter { $0.headerString(JobHeaders.handoff) == "notify-retry" }.count >= 2
            }
            let outcomes = try await harness.outcomes(1, within: 10)
            try await eventually(10, "the webhook to take the outcome") { !receiver.received.withLock { $0.isEmpty } }
            try await worker.stop()

            #expect(retries.filter { $0.headerString(JobHeaders.handoff) == "notify-retry" }.allSatisfy { $0.envelope?.result?.outcomeRecorded == true })
            #expect(outcomes.filter { $0.jobId == jobId }.count == 1, "one outcome, however often notifications are retried")
            #expect(outcomes.first?.status == .completed)
            harness.expectExactUploads()
            let delivered = receiver.received.withLock { $0 }
            #expect(delivered.count == 1)
            #expect(delivered.first?.contains(jobId) == true)
            #expect(receiver.calls.withLock { $0 } == 2, "failed once, then delivered, then left alone")
        }
    }
}
