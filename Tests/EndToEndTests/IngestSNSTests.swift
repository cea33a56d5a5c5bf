import Baton
import BatonTestSupport
import Curl
import Foundation
import S3Events
import Testing

/// SNS over HTTP as AWS sends it, against a local stand-in for SNS (real HTTP on loopback,
/// a locally generated certificate). The strict AWS host rule is unit-tested in
/// `SNSVerificationTests`; here the endpoint pattern admits the loopback stand-in.
@Suite("baton ingest: Amazon SNS subscriptions and signatures")
struct IngestSNSTests {
    static let topic = "arn:aws:sns:eu-west-1:123456789012:reports"
    static let otherTopic = "arn:aws:sns:eu-west-1:999999999999:someone-else"

    /// Ingest with SNS verification against `sns`, the ingest log captured.
    func withSNSIngest(
        _ harness: EndToEndHarness, _ sns: FakeSNSEndpoint, capture: LogCapture,
        _ body: @escaping @Sendable (_ ingest: String, _ snsBase: String) async throws -> Void
    ) async throws {
        try await sns.run { base in
            let settings = SNSSettings(topicArns: [Self.topic], verifySignatures: true, endpointPattern: #"http://127\.0\.0\.1:\d+"#, timeout: .seconds(10))
            let gate = try SNSGate(settings: settings, client: harness.http, logger: capture.logger(label: "test.ingest"))
            try await harness.withIngest(sns: gate, logger: capture.logger(label: "test.ingest")) { url in
                try await body(url, base)
            }
        }
    }

    /// POSTs `message` as SNS does: JSON body, `x-amz-sns-message-type`, no Authorization.
    static func post(_ message: SNSMessage, to url: String, _ http: CurlClient, headers: [HTTPHeader] = []) async throws -> HTTPResponse {
        try await http.execute(HTTPRequest(
            method: "POST", url: url,
            headers: [HTTPHeader("x-amz-sns-message-type", message.type.rawValue), HTTPHeader("Content-Type", "text/plain; charset=UTF-8")] + headers,
            body: SNSTestSigner.body(message)
        ))
    }

    static func s3Event(bucket: String, key: String) -> String {
        #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"\#(bucket)"},"object":{"key":"\#(key)","size":5,"sequencer":"0B"}}}]}"#
    }

    @Test("an allowed topic's subscription is confirmed; its signed notifications are published without a token; the certificate is fetched once")
    func confirmedAndPublished() async throws {
        let harness = try await EndToEndHarness("ingest-sns")
        defer { Task { await harness.stop() } }
        let signer = try SNSTestSigner()
        let sns = FakeSNSEndpoint(signer: signer)
        let capture = LogCapture()
        try await withSNSIngest(harness, sns, capture: capture) { url, base in
            let confirmation = try signer.sign(SNSTestSigner.confirmation(
                topicArn: Self.topic, subscribeURL: "\(base)/confirm?Action=ConfirmSubscription&Token=tok-1", token: "tok-1",
                signingCertURL: "\(base)/cert.pem"), version: "1")
            let confirmed = try await Self.post(confirmation, to: url, harness.http)
            #expect(confirmed.status == 200, "\(confirmed.bodyText)")
            #expect(confirmed.bodyText.contains(#""status":"confirmed""#))
            #expect(confirmed.bodyText.contains("arn:aws:sns:eu-west-1:123456789012:reports:tok-1"))
            #expect(sns.confirmedTokens.withLock { $0 } == ["tok-1"])

            let notification = try signer.sign(SNSTestSigner.notification(
                topicArn: Self.topic, payload: Self.s3Event(bucket: harness.bucket, key: "sns/daily.csv"),
                signingCertURL: "\(base)/cert.pem", subject: "Amazon S3 Notification"), version: "2")
            let published = try await Self.post(notification, to: url, harness.http)
            #expect(published.status == 202, "\(published.bodyText)")
            #expect(published.bodyText.contains(#""status":"queued""#))

            let unsubscribed = try await Self.post(try signer.sign(SNSTestSigner.confirmation(
                .unsubscribeConfirmation, topicArn: Self.topic, subscribeURL: "\(base)/confirm?Token=tok-2", token: "tok-2",
                signingCertURL: "\(base)/cert.pem")), to: url, harness.http)
            #expect(unsubscribed.status == 200, "\(unsubscribed.bodyText)")
            #expect(sns.confirmedTokens.withLock { $0 } == ["tok-1"], "an unsubscribe confirmation does not resubscribe")
            #expect(sns.certificateFetches.withLock { $0 } == 1, "one fetch, then the cache")
        }
        let jobs = try await harness.jobMessages(atLeast: 1)
        #expect(jobs.compactMap { $0.envelope?.source.key } == ["sns/daily.csv"])
        #expect(capture.text.contains("SNS subscription confirmed"))
        #expect(capture.text.contains("warning test.ingest: SNS unsubscribe confirmation"))
    }

    @Test("refused: a tampered notification (403, nothing published), another topic's confirmation (403, logged with topic and URL), a SubscribeURL off SNS, another topic's notification without a token (401)")
    func refused() async throws {
        let harness = try await EndToEndHarness("ingest-sns-refused")
        defer { Task { await harness.stop() } }
        let signer = try SNSTestSigner()
        let sns = FakeSNSEndpoint(signer: signer)
        let capture = LogCapture()
        try await withSNSIngest(harness, sns, capture: capture) { url, base in
            var tampered = try signer.sign(SNSTestSigner.notification(
                topicArn: Self.topic, payload: Self.s3Event(bucket: harness.bucket, key: "sns/honest.csv"), signingCertURL: "\(base)/cert.pem"))
            tampered.message = Self.s3Event(bucket: harness.bucket, key: "sns/tampered.csv")
            let forged = try await Self.post(tampered, to: url, harness.http, headers: [HTTPHeader("Authorization", "Bearer t0ken")])
            #expect(forged.status == 403, "a valid token does not excuse a bad signature")
            #expect(forged.bodyText.contains("SNS message signature not verified: the signature does not match the message"), "\(forged.bodyText)")

            let otherURL = "\(base)/confirm?Action=ConfirmSubscription&TopicArn=\(Self.otherTopic)&Token=tok-other"
            let other = try await Self.post(try signer.sign(SNSTestSigner.confirmation(
                topicArn: Self.otherTopic, subscribeURL: otherURL, token: "tok-other", signingCertURL: "\(base)/cert.pem")), to: url, harness.http)
            #expect(other.status == 403, "\(other.bodyText)")
            #expect(other.bodyText.contains("not in ingest.sns.topicArns"))
            let warning = capture.text.split(separator: "\n").first { $0.contains("SNS subscription not confirmed: topic not in ingest.sns.topicArns") }
            #expect(warning?.hasPrefix("warning") == true)
            #expect(warning?.contains(Self.otherTopic) == true)
            #expect(warning?.contains(otherURL) == true)

            let offSNS = try await Self.post(try signer.sign(SNSTestSigner.confirmation(
                topicArn: Self.topic, subscribeURL: "http://localhost:1/confirm?Token=tok-off", token: "tok-off",
                signingCertURL: "\(base)/cert.pem")), to: url, harness.http)
            #expect(offSNS.status == 403, "\(offSNS.bodyText)")
            #expect(offSNS.bodyText.contains("SubscribeURL is not an SNS endpoint"))
            #expect(sns.confirmedTokens.withLock { $0 }.isEmpty)

            let otherNotification = try signer.sign(SNSTestSigner.notification(
                topicArn: Self.otherTopic, payload: Self.s3Event(bucket: harness.bucket, key: "sns/other-topic.csv"), signingCertURL: "\(base)/cert.pem"))
            let anonymous = try await Self.post(otherNotification, to: url, harness.http)
            #expect(anonymous.status == 401, "\(anonymous.bodyText)")
            let withToken = try await Self.post(otherNotification, to: url, harness.http, headers: [HTTPHeader("Authorization", "Bearer t0ken")])
            #expect(withToken.status == 202, "\(withToken.bodyText)")
        }
        let jobs = try await harness.jobMessages(atLeast: 1) { messages in
            messages.contains { $0.envelope?.source.key == "sns/other-topic.csv" }
        }
        #expect(jobs.compactMap { $0.envelope?.source.key } == ["sns/other-topic.csv"], "the tampered notification published nothing")
    }
}
