import Crypto
import Foundation
import S3Events
import _CryptoExtras

/// Checks that an SNS message was signed by Amazon SNS and not changed since.
///
/// AWS, "Verifying the signatures of Amazon SNS messages": `SignatureVersion` 1 is RSA
/// PKCS#1 v1.5 over SHA-1 of ``SNSMessage/stringToSign``, version 2 the same over
/// SHA-256; the key is the one in the X.509 certificate at `SigningCertURL`, which must be
/// an SNS endpoint (HTTPS, `sns.<region>.amazonaws.com`). The certificate must also be
/// within its validity period.
public struct SNSSignatureVerifier: Sendable {
    public var policy: SNSEndpointPolicy
    public var certificates: SNSCertificateStore

    public init(policy: SNSEndpointPolicy, certificates: SNSCertificateStore) {
        self.policy = policy
        self.certificates = certificates
    }

    /// Returns when `message` is authentic.
    ///
    /// - Throws: ``SNSError`` saying why not: unsupported `SignatureVersion`, a
    ///   `SigningCertURL` outside the policy (never fetched), an unusable certificate, or a
    ///   signature that does not match.
    public func verify(_ message: SNSMessage, now: Date = Date()) async throws {
        guard ["1", "2"].contains(message.signatureVersion) else {
            throw SNSError("unsupported SignatureVersion \"\(message.signatureVersion)\" (expected 1 or 2)")
        }
        guard policy.allows(message.signingCertURL) else {
            throw SNSError("SigningCertURL \(message.signingCertURL) is not an SNS endpoint (ingest.sns.endpointPattern)")
        }
        guard let signature = Data(base64Encoded: message.signature), !signature.isEmpty else {
            throw SNSError("Signature is not base64")
        }
        let certificate: SNSCertificateStore.Entry
        do {
            certificate = try await certificates.entry(for: message.signingCertURL)
        } catch {
            throw SNSError("cannot use the signing certificate \(message.signingCertURL): \(error)")
        }
        guard certificate.notValidBefore <= now, now <= certificate.notValidAfter else {
            throw SNSError("the signing certificate \(message.signingCertURL) is not valid now (valid \(certificate.notValidBefore) to \(certificate.notValidAfter))")
        }
        let text = Data(message.stringToSign.utf8)
        let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
        let valid = message.signatureVersion == "1"
            ? certificate.publicKey.isValidSignature(rsaSignature, for: Insecure.SHA1.hash(data: text), padding: .insecurePKCS1v1_5)
            : certificate.publicKey.isValidSignature(rsaSignature, for: SHA256.hash(data: text), padding: .insecurePKCS1v1_5)
        guard valid else {
            throw SNSError("the signature does not match the message (SignatureVersion \(message.signatureVersion))")
        }
    }
}
