import Crypto
import S3Events

/// Job ids are derived, not random: S3 delivers events at least once, and the same
/// object version must map to the same job so duplicates collapse downstream (outcome
/// consumers, the worker's duplicate check).
public enum JobID {
    public static func derive(bucket: String, key: String, discriminator: String?) -> String {
        let material = [bucket, key, discriminator ?? ""].joined(separator: "\u{0}")
        let digest = SHA256.hash(data: Array(material.utf8))
        return digest.prefix(16).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// versionId identifies an object version exactly; without versioning the
    /// sequencer orders PUTs of one key; a manual publish falls back to the eTag.
    public static func derive(for event: S3ObjectEvent) -> String {
        derive(bucket: event.bucket, key: event.key, discriminator: event.versionId ?? event.sequencer ?? event.eTag)
    }
}
