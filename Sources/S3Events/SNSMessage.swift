/// An Amazon SNS message as SNS POSTs it to an HTTP(S) subscription: a JSON object with
/// `Type`, `MessageId`, `TopicArn`, `Timestamp`, the signature fields and, depending on
/// the type, `Message`/`Subject` or `SubscribeURL`/`Token`.
///
/// Source: AWS SNS Developer Guide, "Parsing message formats" and "Verifying the
/// signatures of Amazon SNS messages".
public struct SNSMessage: Sendable, Equatable {
    /// The `Type` field (also sent as the `x-amz-sns-message-type` header).
    public enum Kind: String, Sendable, Equatable {
        case notification = "Notification"
        case subscriptionConfirmation = "SubscriptionConfirmation"
        case unsubscribeConfirmation = "UnsubscribeConfirmation"
    }

    public var type: Kind
    public var messageId: String
    /// `arn:aws:sns:<region>:<account>:<topic>`.
    public var topicArn: String
    /// For a notification, the published payload (an S3 event document as a JSON string);
    /// for a confirmation, human-readable text.
    public var message: String
    /// Only notifications may carry one; absent when the publisher set none.
    public var subject: String?
    /// ISO 8601 time SNS sent the message, as given (it is part of the signed text).
    public var timestamp: String
    /// `"1"` (RSA PKCS#1 v1.5 with SHA-1) or `"2"` (with SHA-256), as given.
    public var signatureVersion: String
    /// Base64 of the RSA signature over ``stringToSign``.
    public var signature: String
    /// Where the X.509 certificate (PEM) whose key made ``signature`` is published.
    public var signingCertURL: String
    /// Confirmations only: GET it to confirm (or re-confirm) the subscription.
    public var subscribeURL: String?
    /// Confirmations only: the token that `SubscribeURL` carries.
    public var token: String?

    public init(
        type: Kind, messageId: String, topicArn: String, message: String, subject: String? = nil,
        timestamp: String, signatureVersion: String, signature: String, signingCertURL: String,
        subscribeURL: String? = nil, token: String? = nil
    ) {
        self.type = type
        self.messageId = messageId
        self.topicArn = topicArn
        self.message = message
        self.subject = subject
        self.timestamp = timestamp
        self.signatureVersion = signatureVersion
        self.signature = signature
        self.signingCertURL = signingCertURL
        self.subscribeURL = subscribeURL
        self.token = token
    }

    /// The SNS message in `payload`, or nil when the payload is not one (no top-level
    /// `Type` and `TopicArn`: a plain S3 document, EventBridge, MinIO, …).
    ///
    /// - Throws: ``S3EventError`` naming the field when the payload looks like an SNS
    ///   message but a field the signature covers is missing, not a string, or the
    ///   `Type` is not one of the three SNS sends over HTTP.
    public static func parse(_ payload: [UInt8]) throws -> SNSMessage? {
        guard let node = try? JSONNode.parse(payload), node.isObject,
            node.child("Type") != nil, node.child("TopicArn") != nil
        else { return nil }
        let typeNode = try node.required("Type")
        guard let type = Kind(rawValue: try typeNode.string()) else {
            throw S3EventError(path: typeNode.path, reason: "unknown SNS message type \(try typeNode.string())")
        }
        let isConfirmation = type != .notification
        return SNSMessage(
            type: type,
            messageId: try node.required("MessageId").string(),
            topicArn: try node.required("TopicArn").nonEmptyString(),
            message: try node.required("Message").string(),
            subject: isConfirmation ? nil : try node.child("Subject")?.string(),
            timestamp: try node.required("Timestamp").string(),
            signatureVersion: try node.required("SignatureVersion").string(),
            signature: try node.required("Signature").string(),
            signingCertURL: try node.required("SigningCertURL").string(),
            subscribeURL: isConfirmation ? try node.required("SubscribeURL").string() : nil,
            token: isConfirmation ? try node.required("Token").string() : nil
        )
    }

    /// The text SNS signs: for a notification the fields `Message`, `MessageId`, `Subject`
    /// (only when present), `Timestamp`, `TopicArn`, `Type`; for a confirmation `Message`,
    /// `MessageId`, `SubscribeURL`, `Timestamp`, `Token`, `TopicArn`, `Type` — each as
    /// `"Name\nvalue\n"`, in that order, UTF-8.
    public var stringToSign: String {
        var fields: [(String, String?)] = [("Message", message), ("MessageId", messageId)]
        switch type {
        case .notification:
            fields.append(("Subject", subject))
        case .subscriptionConfirmation, .unsubscribeConfirmation:
            fields.append(("SubscribeURL", subscribeURL ?? ""))
        }
        fields.append(("Timestamp", timestamp))
        if type != .notification { fields.append(("Token", token ?? "")) }
        fields += [("TopicArn", topicArn), ("Type", type.rawValue)]
        return fields.reduce(into: "") { text, field in
            if let value = field.1 { text += "\(field.0)\n\(value)\n" }
        }
    }
}
