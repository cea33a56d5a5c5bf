/// `ingest.sns`: how `baton ingest` treats Amazon SNS messages delivered over HTTP(S)
/// (subscription confirmations, notifications, unsubscribe confirmations).
public struct SNSSettings: Sendable, Equatable {
    /// Topics whose `SubscriptionConfirmation` is confirmed (their `SubscribeURL` is
    /// fetched), exact `arn:aws:sns:<region>:<account>:<topic>` strings
    /// (BATON_INGEST_SNS_TOPIC_ARNS, comma-separated). With ``verifySignatures``, a signed
    /// message from one of these topics needs no token either.
    public var topicArns: [String]
    /// Verify every SNS message's signature (`SignatureVersion` 1 and 2) before acting on
    /// it; a message whose signature fails is refused with 403.
    public var verifySignatures: Bool
    /// A regular expression that the origin (`scheme://host[:port]`, lowercased) of
    /// `SigningCertURL` and `SubscribeURL` must match entirely. The default admits only
    /// `https://sns.<region>.amazonaws.com` and `https://sns.<region>.amazonaws.com.cn`.
    public var endpointPattern: String
    /// Time allowed for fetching a signing certificate or confirming a subscription.
    public var timeout: Duration

    public init(topicArns: [String] = [], verifySignatures: Bool = true, endpointPattern: String = SNSEndpointPolicy.awsPattern, timeout: Duration = .seconds(10)) {
        self.topicArns = topicArns
        self.verifySignatures = verifySignatures
        self.endpointPattern = endpointPattern
        self.timeout = timeout
    }

    static func load(_ settings: SettingsReader) throws -> SNSSettings {
        let pattern = settings.string("ingest.sns.endpointPattern", default: SNSEndpointPolicy.awsPattern)
        guard (try? SNSEndpointPolicy(pattern: pattern)) != nil else {
            throw ConfigurationError(key: "ingest.sns.endpointPattern", message: "not a valid regular expression: \"\(pattern)\"")
        }
        return SNSSettings(
            topicArns: settings.stringArray("ingest.sns.topicArns"),
            verifySignatures: try settings.bool("ingest.sns.verifySignatures", default: true),
            endpointPattern: pattern,
            timeout: try settings.duration("ingest.sns.timeout", default: .seconds(10), minimum: .milliseconds(100))
        )
    }
}
