import S3Events
import Testing

@Suite("SNS messages over HTTP: fields and the text SNS signs")
struct SNSMessageTests {
    /// The shape of AWS's example in "Parsing message formats" (HTTP/HTTPS subscription confirmation).
    static let confirmation = """
    {"Type":"SubscriptionConfirmation","MessageId":"165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
     "Token":"2336412f37f","TopicArn":"arn:aws:sns:us-west-2:123456789012:MyTopic",
     "Message":"You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.\\nTo confirm the subscription, visit the SubscribeURL included in this message.",
     "SubscribeURL":"https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37f",
     "Timestamp":"2012-04-26T20:45:04.751Z","SignatureVersion":"1","Signature":"EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
     "SigningCertURL":"https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"}
    """

    func parse(_ text: String) throws -> SNSMessage? { try SNSMessage.parse(Array(text.utf8)) }

    @Test("a subscription confirmation: every signed field, and the string to sign in AWS's order")
    func confirmationFields() throws {
        let message = try #require(try parse(Self.confirmation))
        #expect(message.type == .subscriptionConfirmation)
        #expect(message.token == "2336412f37f")
        #expect(message.subscribeURL?.hasPrefix("https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription") == true)
        #expect(message.signingCertURL.hasSuffix(".pem"))
        #expect(message.stringToSign == """
            Message
            \(message.message)
            MessageId
            165545c9-2a5c-472c-8df2-7ff2be2b3b1b
            SubscribeURL
            \(message.subscribeURL ?? "")
            Timestamp
            2012-04-26T20:45:04.751Z
            Token
            2336412f37f
            TopicArn
            arn:aws:sns:us-west-2:123456789012:MyTopic
            Type
            SubscriptionConfirmation

            """)
    }

    @Test("a notification signs Subject only when present")
    func notificationSubject() throws {
        let base = #""Type":"Notification","MessageId":"m1","TopicArn":"arn:aws:sns:eu-west-1:1:t","Message":"{}","Timestamp":"T","SignatureVersion":"2","Signature":"c2ln","SigningCertURL":"https://sns.eu-west-1.amazonaws.com/c.pem","UnsubscribeURL":"https://x""#
        let withSubject = try #require(try parse("{\(base),\"Subject\":\"Amazon S3 Notification\"}"))
        #expect(withSubject.stringToSign == "Message\n{}\nMessageId\nm1\nSubject\nAmazon S3 Notification\nTimestamp\nT\nTopicArn\narn:aws:sns:eu-west-1:1:t\nType\nNotification\n")
        let without = try #require(try parse("{\(base)}"))
        #expect(without.subject == nil)
        #expect(without.stringToSign == "Message\n{}\nMessageId\nm1\nTimestamp\nT\nTopicArn\narn:aws:sns:eu-west-1:1:t\nType\nNotification\n")
    }

    @Test("not SNS-shaped → nil; SNS-shaped but a signed field missing or an unknown Type → an error naming it")
    func shapes() throws {
        #expect(try parse(#"{"Records":[]}"#) == nil)
        #expect(try parse("not json") == nil)
        #expect(throws: S3EventError(path: "SubscribeURL", reason: "missing")) {
            try parse(Self.confirmation.replacingOccurrences(of: "\"SubscribeURL\"", with: "\"Other\""))
        }
        #expect(throws: S3EventError(path: "Type", reason: "unknown SNS message type Surprise")) {
            try parse(Self.confirmation.replacingOccurrences(of: "SubscriptionConfirmation", with: "Surprise"))
        }
    }
}
