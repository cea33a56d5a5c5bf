import Baton
import BatonTestSupport
import Crypto
import Curl
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Testing

@Suite("baton ingest: S3 events over HTTP")
struct IngestTests {
    static func event(bucket: String, key: String) -> [UInt8] {
        Array(#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"\#(bucket)"},"object":{"key":"\#(key)","size":5,"sequencer":"0A"}}}]}"#.utf8)
    }

    @Test("202 only after the broker acknowledged: the job is on the topic; unrouted objects become outcomes")
    func accepted() async throws {
        let harness = try await EndToEndHarness("ingest")
        defer { Task { await harness.stop() } }
        try await harness.withIngest() { url in
            let response = try await harness.http.execute(HTTPRequest(
                method: "POST", url: url, headers: [HTTPHeader("Authorization", "Bearer t0ken")],
                body: Self.event(bucket: harness.bucket, key: "daily/a+b.csv")
            ))
            #expect(response.status == 202, "\(response.bodyText)")
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            let jobs = try #require(answer["jobs"] as? [[String: String]])
            #expect(jobs.first?["status"] == "queued")
            #expect(jobs.first?["key"] == "daily/a b.csv")

            let unrouted = try await harness.http.execute(HTTPRequest(
                method: "POST", url: url, headers: [HTTPHeader("Authorization", "Bearer t0ken")],
                body: Self.event(bucket: "nobody-routes-this", key: "x.csv")
            ))
            #expect(unrouted.status == 202)
            #expect(unrouted.bodyText.contains(#""status":"unrouted""#))
        }
        let jobs = try await harness.jobMessages(atLeast: 1)
        #expect(jobs.first?.envelope?.source.key == "daily/a b.csv")
        let outcomes = try await harness.outcomes(1, within: 10)
        #expect(outcomes.first?.status == .unrouted)
        #expect(outcomes.first?.source?.bucket == "nobody-routes-this")
    }

    @Test("refusals say precisely why: 401 without credentials, 400 for a bad payload, 413 for a big body")
    func refusals() async throws {
        let harness = try await EndToEndHarness("ingest-refusals")
        defer { Task { await harness.stop() } }
        try await harness.withIngest() { url in
            let anonymous = try await harness.http.execute(HTTPRequest(method: "POST", url: url, body: Self.event(bucket: "b", key: "k")))
            #expect(anonymous.status == 401)
            let wrong = try await harness.http.execute(HTTPRequest(
                method: "POST", url: url, headers: [HTTPHeader("Authorization", "Bearer nope")], body: Self.event(bucket: "b", key: "k")))
            #expect(wrong.status == 401)
            let invalid = try await harness.http.execute(HTTPRequest(
                method: "POST", url: url, headers: [HTTPHeader("Authorization", "Bearer t0ken")],
                body: Array(#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"size":1}}}]}"#.utf8)))
            #expect(invalid.status == 400)
            #expect(invalid.bodyText.contains("Records[0].s3.object.key: missing"), "\(invalid.bodyText)")
            let big = try await harness.http.execute(HTTPRequest(
                method: "POST", url: url, headers: [HTTPHeader("Authorization", "Bearer t0ken")], body: [UInt8](repeating: 0x20, count: 100_000)))
            #expect(big.status == 413)
        }
    }

    @Test("an HMAC-signed body is accepted; a tampered one is not")
    func hmac() async throws {
        let harness = try await EndToEndHarness("ingest-hmac")
        defer { Task { await harness.stop() } }
        try await harness.withIngest(token: nil, hmacSecret: "shh") { url in
            let body = Self.event(bucket: harness.bucket, key: "signed.csv")
            let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array("shh".utf8)))
            let signature = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
            let signed = try await harness.http.execute(HTTPRequest(
                method: "POST", url: url, headers: [HTTPHeader("X-Baton-Signature", signature)], body: body))
            #expect(signed.status == 202, "\(signed.bodyText)")
            let tampered = try await harness.http.execute(HTTPRequest(
                method: "POST", url: url, headers: [HTTPHeader("X-Baton-Signature", signature)], body: body + [0x20]))
            #expect(tampered.status == 401)
        }
    }
}
