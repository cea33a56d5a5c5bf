import Crypto
import S3Events

/// Job ids are derived, not random: S3 delivers events at least once, and the same
/// object write must map to the same job so duplicates collapse downstream (outcome
/// consumers, the worker's duplicate check), while two writes of one key never do.
///
/// The identity of a write, in order:
/// 1. `versionId` when it is non-empty (versioned buckets: it names the version exactly);
/// 2. otherwise `sequencer` and `eTag` together (S3 orders the writes of one key by
///    sequencer; Ceph RGW sends `"versionId": ""` on unversioned buckets, and an empty
///    string is no version id);
/// 3. a manual publish with neither falls back to its event time, so two publishes of one
///    key are two jobs.
/// Empty strings count as absent; entity tags are compared without quotes.
public enum JobID {
    public static func derive(bucket: String, key: String, discriminator: String?) -> String {
        let material = [bucket, key, discriminator ?? ""].joined(separator: "\u{0}")
        let digest = SHA256.hash(data: Array(material.utf8))
        return digest.prefix(16).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The id of the job for `event` (see the rule above).
    public static func derive(for event: S3ObjectEvent) -> String {
        derive(
            bucket: event.bucket, key: event.key,
            discriminator: discriminator(
                versionId: event.versionId, sequencer: event.sequencer, eTag: event.eTag, eventTime: event.eventTime))
    }

    /// What tells one write of a key from another; nil when nothing does.
    public static func discriminator(versionId: String?, sequencer: String?, eTag: String?, eventTime: String? = nil) -> String? {
        if let version = nonEmpty(versionId) { return version }
        let tag = nonEmpty(eTag).map(unquoted)
        switch (nonEmpty(sequencer), tag) {
        case (let sequencer?, let tag?): return "sequencer=\(sequencer)\u{0}eTag=\(tag)"
        case (let sequencer?, nil): return sequencer
        case (nil, let tag?): return tag
        case (nil, nil): return nonEmpty(eventTime).map { "eventTime=\($0)" }
        }
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    private static func unquoted(_ tag: String) -> String {
        guard tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") else { return tag }
        return String(tag.dropFirst().dropLast())
    }
}
