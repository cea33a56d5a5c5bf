import Curl
import Foundation
import Logging
import S3Events

/// What `baton ingest` does with Amazon SNS messages (settings `ingest.sns`): verifies
/// their signatures (``SNSSignatureVerifier``) when enabled, and confirms subscriptions to
/// allowed topics by GETting their `SubscribeURL` (AWS SNS Developer Guide, "Fanout to
/// HTTP/S endpoints": the endpoint must visit `SubscribeURL`, or the subscription stays
/// pending and expires after three days).
public struct SNSGate: Sendable {
    /// The result of a `SubscriptionConfirmation`.
    public enum Confirmation: Sendable, Equatable {
        /// `SubscribeURL` answered 2xx; SNS's answer names the subscription when it can be read.
        case confirmed(subscriptionArn: String?)
        /// The topic is not in ``topicArns``, or `SubscribeURL` is not an SNS endpoint.
        case notAllowed(reason: String)
        /// `SubscribeURL` could not be reached or refused (HTTP status or transport error).
        case failed(reason: String)
    }

    /// Topics whose subscriptions are confirmed (exact ARNs).
    public var topicArns: Set<String>
    /// Which `SubscribeURL`s may be fetched.
    public var policy: SNSEndpointPolicy
    /// nil: signatures are not verified.
    public var verifier: SNSSignatureVerifier?
    public var client: CurlClient
    /// Time allowed for the `SubscribeURL` request.
    public var timeout: Duration
    public var logger: Logger

    public init(topicArns: Set<String>, policy: SNSEndpointPolicy, verifier: SNSSignatureVerifier?, client: CurlClient, timeout: Duration, logger: Logger) {
        self.topicArns = topicArns
        self.policy = policy
        self.verifier = verifier
        self.client = client
        self.timeout = timeout
        self.logger = logger
    }

    /// The gate `settings` describe; certificates and confirmations go through `client`.
    ///
    /// - Throws: when `settings.endpointPattern` is not a valid regular expression.
    public init(settings: SNSSettings, client: CurlClient, logger: Logger) throws {
        let policy = try SNSEndpointPolicy(pattern: settings.endpointPattern)
        self.init(
            topicArns: Set(settings.topicArns),
            policy: policy,
            verifier: settings.verifySignatures
                ? SNSSignatureVerifier(policy: policy, certificates: SNSCertificateStore(client: client, timeout: settings.timeout))
                : nil,
            client: client, timeout: settings.timeout, logger: logger
        )
    }

    /// The same, with an HTTP client of its own (released with the gate).
    public init(settings: SNSSettings, logger: Logger) throws {
        try self.init(settings: settings, client: CurlClient(logger: logger), logger: logger)
    }

    public func isAllowed(topicArn: String) -> Bool { topicArns.contains(topicArn) }

    /// Confirms the subscription `message` asks for when its topic is allowed and its
    /// `SubscribeURL` is an SNS endpoint; otherwise logs a warning naming the topic and the
    /// URL (an operator may confirm by hand within three days). The caller has checked the
    /// signature or the sender's credentials.
    public func confirm(_ message: SNSMessage) async -> Confirmation {
        let url = message.subscribeURL ?? ""
        let metadata: Logger.Metadata = ["topicArn": "\(message.topicArn)", "subscribeURL": "\(url)", "messageId": "\(message.messageId)"]
        guard isAllowed(topicArn: message.topicArn) else {
            logger.warning("SNS subscription not confirmed: topic not in ingest.sns.topicArns", metadata: metadata)
            return .notAllowed(reason: "topic \(message.topicArn) is not in ingest.sns.topicArns; the subscription was not confirmed")
        }
        guard policy.allows(url) else {
            logger.warning("SNS subscription not confirmed: SubscribeURL is not an SNS endpoint", metadata: metadata)
            return .notAllowed(reason: "SubscribeURL is not an SNS endpoint (ingest.sns.endpointPattern); the subscription was not confirmed")
        }
        let response: HTTPResponse
        do {
            response = try await client.execute(HTTPRequest(url: url, connectTimeout: timeout, timeout: timeout))
        } catch {
            logger.error("SNS subscription confirmation failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return .failed(reason: "SubscribeURL could not be reached: \(error)")
        }
        guard response.isSuccess else {
            logger.error("SNS subscription confirmation refused", metadata: metadata.merging(["status": "\(response.status)"]) { $1 })
            return .failed(reason: "SubscribeURL answered HTTP \(response.status)")
        }
        let arn = Self.subscriptionArn(in: response.bodyText)
        logger.info("SNS subscription confirmed", metadata: ["topicArn": "\(message.topicArn)", "subscriptionArn": "\(arn ?? "")"])
        return .confirmed(subscriptionArn: arn)
    }

    /// `<SubscriptionArn>…</SubscriptionArn>` of SNS's `ConfirmSubscriptionResponse`.
    static func subscriptionArn(in xml: String) -> String? {
        guard let start = xml.range(of: "<SubscriptionArn>"),
            let end = xml.range(of: "</SubscriptionArn>", range: start.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
    }
}
