import StackTestSupport
import Foundation
import Testing

@testable import Curl

/// The stack's moto accepts any signature (it does not check authentication by default),
/// so it cannot tell a correct SigV4 signature from a wrong one. This suite starts its own
/// moto with authentication on (`INITIAL_NO_AUTH_ACTION_COUNT`), creates an IAM user with
/// the three unauthenticated actions that allows, and proves that S3 requests signed by
/// libcurl are accepted — and that a wrong secret is rejected.
///
/// moto's signature check rebuilds the canonical URI from werkzeug's re-quoted path, so it
/// rejects keys with `+`, `&`, `%`, `(` or non-ASCII even from boto3; this suite uses keys moto
/// verifies correctly (the S3ClientTests cover the other keys against the stack's moto).
@Suite("SigV4 signatures verified by moto with authentication on")
struct S3SignatureTests {
    @Test("libcurl's SigV4 signatures are accepted; a wrong secret is SignatureDoesNotMatch")
    func signaturesVerify() async throws {
        let port = try LoopbackServer.closedPort()
        let moto = try ChildProcess(
            ["moto_server", "-H", "127.0.0.1", "-p", "\(port)"], environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"])
        defer { moto.kill() }
        let endpoint = "http://127.0.0.1:\(port)"
        let http = CurlClient()
        defer { http.shutdown() }

        // Ready when moto's own API answers (that does not count as an action).
        try await eventually(20, "moto with authentication to start on port \(port)") {
            let response = try? await http.execute(HTTPRequest(url: "\(endpoint)/moto-api/", timeout: .seconds(2)))
            return response?.status == 200
        }

        // The three unauthenticated actions: a user, an S3 policy, an access key.
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        _ = try await iam(http, endpoint, "Action=CreateUser&UserName=baton")
        _ = try await iam(
            http, endpoint,
            "Action=PutUserPolicy&UserName=baton&PolicyName=s3&PolicyDocument=\(formEncode(policy))")
        let created = try await iam(http, endpoint, "Action=CreateAccessKey&UserName=baton")
        let accessKeyID = try #require(S3ErrorDocument.element("AccessKeyId", in: created))
        let secret = try #require(S3ErrorDocument.element("SecretAccessKey", in: created))

        let s3 = S3Client(
            configuration: S3Configuration(
                endpoint: endpoint, credentials: S3Credentials(accessKeyID: accessKeyID, secretAccessKey: secret),
                pathStyle: true),
            http: http)
        let bucket = uniqueName("signed")
        let payload = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try await withTimeout(20, "signed requests") {
            try await s3.createBucket(bucket)
            try await s3.createBucket(bucket)
            for key in ["daily/2026-11-27.csv", "with space/report final.csv", "tilde~_-./x"] {
                try await s3.putObject(bucket: bucket, key: key, body: payload, contentType: "text/csv")
                let info = try await s3.headObject(bucket: bucket, key: key)
                #expect(info.size == payload.count)
                let part = try await s3.getObject(bucket: bucket, key: key, range: 1000..<2000)
                #expect(part.bytes == Array(payload[1000..<2000]))
                #expect(try await s3.getObject(bucket: bucket, key: key).bytes == payload)
            }
            let missing = await #expect(throws: S3Error.self) {
                _ = try await s3.getObject(bucket: bucket, key: "no/such-key.csv")
            }
            if case .notFound = missing {} else { Issue.record("expected notFound, got \(String(describing: missing))") }
        }

        let wrong = S3Client(
            configuration: S3Configuration(
                endpoint: endpoint,
                credentials: S3Credentials(accessKeyID: accessKeyID, secretAccessKey: "wrong-\(secret.prefix(4))"),
                pathStyle: true),
            http: http)
        let denied = try await withTimeout(10, "a request with a wrong secret") {
            await #expect(throws: S3Error.self) {
                _ = try await wrong.getObject(bucket: bucket, key: "daily/2026-11-27.csv", range: 0..<10)
            }
        }
        guard case .accessDenied(let deniedBucket, let deniedKey, let message) = denied else {
            Issue.record("expected accessDenied, got \(String(describing: denied))")
            return
        }
        #expect(deniedBucket == bucket && deniedKey == "daily/2026-11-27.csv")
        #expect(message.contains("SignatureDoesNotMatch"))
        #expect(!"\(denied!)".contains(secret))
    }

    /// An IAM Query API call (form POST, signed for service "iam").
    private func iam(_ http: CurlClient, _ endpoint: String, _ form: String) async throws -> String {
        let request = TransferRequest(
            kind: .http(method: "POST"), url: endpoint + "/",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: Array((form + "&Version=2010-05-08").utf8),
            connectTimeout: .seconds(5), timeout: .seconds(10), cookies: nil,
            awsSigV4: "aws:amz:us-east-1:iam", username: "bootstrap", password: "bootstrap")
        let result = try await http.perform(request)
        let text = String(decoding: result.body, as: UTF8.self)
        #expect(result.status == 200, "\(form): \(text)")
        return text
    }

    private func formEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
