import Crypto
import Foundation
import S3Events
import X509
import _CryptoExtras

/// Signs SNS messages the way Amazon SNS does, with an RSA key and a self-signed
/// certificate generated on the spot, so tests can verify signatures without AWS.
public struct SNSTestSigner: Sendable {
    /// The certificate (PEM) to serve at the messages' `SigningCertURL`.
    public let certificatePEM: String
    private let key: _RSA.Signing.PrivateKey

    /// A fresh 2048-bit key and a certificate valid from `validFrom` to `validUntil`.
    public init(validFrom: Date = Date() - 3600, validUntil: Date = Date() + 86_400) throws {
        key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName { CommonName("sns.test.invalid") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: validFrom, notValidAfter: validUntil, issuer: name, subject: name,
            signatureAlgorithm: .sha256WithRSAEncryption, extensions: Certificate.Extensions(),
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// `message` with `SignatureVersion` `version` ("1": SHA-1, "2": SHA-256) and its signature.
    public func sign(_ message: SNSMessage, version: String = "2") throws -> SNSMessage {
        var message = message
        message.signatureVersion = version
        let text = Data(message.stringToSign.utf8)
        let signature = version == "1"
            ? try key.signature(for: Insecure.SHA1.hash(data: text), padding: .insecurePKCS1v1_5)
            : try key.signature(for: SHA256.hash(data: text), padding: .insecurePKCS1v1_5)
        message.signature = signature.rawRepresentation.base64EncodedString()
        return message
    }

    /// An unsigned `Notification` carrying `payload` (e.g. an S3 event document).
    public static func notification(topicArn: String, payload: String, signingCertURL: String, subject: String? = nil) -> SNSMessage {
        SNSMessage(
            type: .notification, messageId: UUID().uuidString, topicArn: topicArn, message: payload, subject: subject,
            timestamp: "2026-11-30T12:00:00.000Z", signatureVersion: "2", signature: "", signingCertURL: signingCertURL
        )
    }

    /// An unsigned `SubscriptionConfirmation` (or `UnsubscribeConfirmation`).
    public static func confirmation(
        _ type: SNSMessage.Kind = .subscriptionConfirmation, topicArn: String, subscribeURL: String, token: String, signingCertURL: String
    ) -> SNSMessage {
        SNSMessage(
            type: type, messageId: UUID().uuidString, topicArn: topicArn,
            message: "You have chosen to subscribe to the topic \(topicArn).\nTo confirm the subscription, visit the SubscribeURL included in this message.",
            timestamp: "2026-11-30T12:00:00.000Z", signatureVersion: "2", signature: "", signingCertURL: signingCertURL,
            subscribeURL: subscribeURL, token: token
        )
    }

    /// The JSON body SNS POSTs for `message`.
    public static func body(_ message: SNSMessage) -> [UInt8] {
        var object: [String: String] = [
            "Type": message.type.rawValue, "MessageId": message.messageId, "TopicArn": message.topicArn,
            "Message": message.message, "Timestamp": message.timestamp, "SignatureVersion": message.signatureVersion,
            "Signature": message.signature, "SigningCertURL": message.signingCertURL,
        ]
        object["Subject"] = message.subject
        object["SubscribeURL"] = message.subscribeURL
        object["Token"] = message.token
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data)
    }
}
