/// `s3://bucket/key/with/slashes`, as operators type it on the command line. The key is
/// taken literally (no URL decoding): it is what the operator sees in the console.
public struct S3URI: Sendable, Hashable, CustomStringConvertible {
    public var bucket: String
    public var key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    public init(parsing text: String) throws {
        guard text.hasPrefix("s3://") else {
            throw S3EventError(path: "", reason: "expected s3://BUCKET/KEY, got \"\(text)\"")
        }
        let rest = text.dropFirst("s3://".count)
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex, rest.index(after: slash) != rest.endIndex else {
            throw S3EventError(path: "", reason: "expected s3://BUCKET/KEY with a bucket and a key, got \"\(text)\"")
        }
        bucket = String(rest[..<slash])
        key = String(rest[rest.index(after: slash)...])
    }

    public var description: String { "s3://\(bucket)/\(key)" }
}
