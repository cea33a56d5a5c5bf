import Crypto

/// The content hash the inspection endpoint reports, for comparing in tests.
public enum ContentHash {
    /// Lowercase hex SHA-256.
    public static func sha256(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
