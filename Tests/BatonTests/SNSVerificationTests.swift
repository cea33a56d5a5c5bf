import Baton
import BatonTestSupport
import Foundation
import S3Events
import Testing

@Suite("SNS: which hosts count as SNS, and message signatures")
struct SNSVerificationTests {
    @Test("AWS's rule: HTTPS from sns.<region>.amazonaws.com(.cn) and nothing else", arguments: [
        ("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem", true),
        ("https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:1:t&Token=abc", true),
        ("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem", true),
        ("HTTPS://SNS.US-EAST-1.AMAZONAWS.COM/cert.pem", true),
        ("http://sns.us-east-1.amazonaws.com/cert.pem", false),
        ("https://sns.us-east-1.amazonaws.com.evil.example/cert.pem", false),
        ("https://evil.example/sns.us-east-1.amazonaws.com/cert.pem", false),
        ("https://sns.us-east-1.amazonaws.com@evil.example/cert.pem", false),
        ("https://user:pw@sns.us-east-1.amazonaws.com/cert.pem", false),
        ("https://evil.example#@sns.us-east-1.amazonaws.com/cert.pem", false),
        ("https://sqs.us-east-1.amazonaws.com/cert.pem", false),
        ("https://x.sns.us-east-1.amazonaws.com/cert.pem", false),
        ("https://sns.us-east-1.amazonaws.com:8443/cert.pem", false),
        ("https://sns.amazonaws.com/cert.pem", false),
        ("/SimpleNotificationService.pem", false),
        ("", false),
    ])
    func awsHostRule(url: String, allowed: Bool) throws {
        #expect(try SNSEndpointPolicy().allows(url) == allowed)
    }

    @Test("a configured pattern admits a local endpoint; an invalid pattern is an error")
    func configuredPattern() throws {
        let local = try SNSEndpointPolicy(pattern: #"http://127\.0\.0\.1:\d+"#)
        #expect(local.allows("http://127.0.0.1:8123/cert.pem"))
        #expect(!local.allows("https://sns.us-east-1.amazonaws.com/cert.pem"))
        #expect(throws: (any Error).self) { try SNSEndpointPolicy(pattern: "(unclosed") }
    }

    /// A verifier whose certificates come from `signer` (any URL the policy admits).
    func verifier(_ signer: SNSTestSigner) throws -> (SNSSignatureVerifier, SNSCertificateStore) {
        let pem = Array(signer.certificatePEM.utf8)
        let store = SNSCertificateStore { _ in pem }
        return (SNSSignatureVerifier(policy: try SNSEndpointPolicy(), certificates: store), store)
    }

    static let certURL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem"
    static let topic = "arn:aws:sns:eu-west-1:123456789012:reports"

    @Test("SignatureVersion 1 and 2 verify, with and without Subject, confirmations too; the certificate is fetched once")
    func validSignatures() async throws {
        let signer = try SNSTestSigner()
        let (verifier, store) = try verifier(signer)
        let notification = SNSTestSigner.notification(topicArn: Self.topic, payload: #"{"Records":[]}"#, signingCertURL: Self.certURL)
        var withSubject = notification
        withSubject.subject = "Amazon S3 Notification"
        let confirmation = SNSTestSigner.confirmation(
            topicArn: Self.topic, subscribeURL: "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=t", token: "t",
            signingCertURL: Self.certURL)
        for message in [notification, withSubject, confirmation] {
            for version in ["1", "2"] {
                try await verifier.verify(try signer.sign(message, version: version))
            }
        }
        #expect(await store.fetchCount == 1)
    }

    @Test("refused: a changed field, a changed version, another key, an unknown version, a foreign certificate URL")
    func refusals() async throws {
        let signer = try SNSTestSigner()
        let (verifier, store) = try verifier(signer)
        let signed = try signer.sign(SNSTestSigner.notification(topicArn: Self.topic, payload: #"{"Records":[]}"#, signingCertURL: Self.certURL))

        var tampered = signed
        tampered.message = #"{"Records":[{"evil":true}]}"#
        await #expect(throws: SNSError("the signature does not match the message (SignatureVersion 2)")) { try await verifier.verify(tampered) }
        var subjectAdded = signed
        subjectAdded.subject = "x"
        await #expect(throws: SNSError.self) { try await verifier.verify(subjectAdded) }
        var downgraded = signed
        downgraded.signatureVersion = "1"
        await #expect(throws: SNSError.self) { try await verifier.verify(downgraded) }
        let otherKey = try SNSTestSigner().sign(SNSTestSigner.notification(topicArn: Self.topic, payload: "{}", signingCertURL: Self.certURL))
        await #expect(throws: SNSError.self) { try await verifier.verify(otherKey) }
        var version3 = signed
        version3.signatureVersion = "3"
        await #expect(throws: SNSError(#"unsupported SignatureVersion "3" (expected 1 or 2)"#)) { try await verifier.verify(version3) }

        let fetchesBefore = await store.fetchCount
        var foreign = signed
        foreign.signingCertURL = "https://evil.example/SimpleNotificationService-test.pem"
        let error = await #expect(throws: SNSError.self) { try await verifier.verify(foreign) }
        #expect(error?.description.contains("is not an SNS endpoint") == true)
        #expect(await store.fetchCount == fetchesBefore, "a URL outside the policy is never fetched")
    }

    @Test("a certificate outside its validity period is refused")
    func expiredCertificate() async throws {
        let signer = try SNSTestSigner(validFrom: Date() - 7200, validUntil: Date() - 3600)
        let (verifier, _) = try verifier(signer)
        let signed = try signer.sign(SNSTestSigner.notification(topicArn: Self.topic, payload: "{}", signingCertURL: Self.certURL))
        let error = await #expect(throws: SNSError.self) { try await verifier.verify(signed) }
        #expect(error?.description.contains("is not valid now") == true)
    }

    @Test("a failed fetch is not cached: the next message fetches again")
    func failedFetchRetried() async throws {
        let signer = try SNSTestSigner()
        let pem = Array(signer.certificatePEM.utf8)
        let store = SNSCertificateStore { url in
            if url.hasSuffix("broken.pem") { return Array("not a certificate".utf8) }
            return pem
        }
        let verifier = SNSSignatureVerifier(policy: try SNSEndpointPolicy(), certificates: store)
        let broken = try signer.sign(SNSTestSigner.notification(
            topicArn: Self.topic, payload: "{}", signingCertURL: "https://sns.eu-west-1.amazonaws.com/broken.pem"))
        for _ in 0..<2 {
            let error = await #expect(throws: SNSError.self) { try await verifier.verify(broken) }
            #expect(error?.description.contains("not a PEM X.509 certificate") == true)
        }
        #expect(await store.fetchCount == 2)
    }

    @Test("ingest.sns settings: defaults, the environment, an invalid pattern named; verified SNS topics let ingest start without a token")
    func settings() async throws {
        let defaultIngest = try await BatonConfiguration.load(ConfigSources(environment: [:], usesDefaultFile: false)).ingest
        #expect(throws: ConfigurationError.self, "no token, no secret, no SNS topic: an open endpoint") { try defaultIngest.validateAuthentication() }
        let defaults = defaultIngest.sns
        #expect(defaults == SNSSettings())
        #expect(defaults.verifySignatures && defaults.topicArns.isEmpty && defaults.endpointPattern == SNSEndpointPolicy.awsPattern)
        let set = try await BatonConfiguration.load(ConfigSources(environment: [
            "BATON_INGEST_SNS_TOPIC_ARNS": "arn:aws:sns:eu-west-1:1:a,arn:aws:sns:eu-west-1:1:b",
            "BATON_INGEST_SNS_VERIFY_SIGNATURES": "false",
            "BATON_INGEST_SNS_TIMEOUT": "3s",
        ], usesDefaultFile: false)).ingest.sns
        #expect(set.topicArns == ["arn:aws:sns:eu-west-1:1:a", "arn:aws:sns:eu-west-1:1:b"])
        #expect(!set.verifySignatures)
        #expect(set.timeout == .seconds(3))
        var snsOnly = defaultIngest
        snsOnly.sns.topicArns = ["arn:aws:sns:eu-west-1:1:a"]
        #expect(throws: Never.self) { try snsOnly.validateAuthentication() }
        snsOnly.sns.verifySignatures = false
        #expect(throws: ConfigurationError.self, "unverified SNS messages cannot stand in for a token") { try snsOnly.validateAuthentication() }
        await #expect(throws: ConfigurationError.self) {
            try await BatonConfiguration.load(ConfigSources(environment: ["BATON_INGEST_SNS_ENDPOINT_PATTERN": "(unclosed"], usesDefaultFile: false))
        }
    }
}
