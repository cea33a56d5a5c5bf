/// The bytes of an object (or of a range of it) from ``S3Client/getObject(bucket:key:range:)``.
public struct S3Object: Sendable {
    /// Exactly the requested bytes (the whole object without a range).
    public var bytes: [UInt8]
    /// `bytes.count`.
    public var contentLength: Int
    /// The size of the whole object: from `Content-Range` for a ranged read, from the
    /// length for a full read; `nil` if the server did not say.
    public var totalSize: Int?
    /// The entity tag, without the surrounding quotes S3 puts on the wire (the form S3 event
    /// notifications use).
    public var eTag: String?
    public var contentType: String?

    public init(bytes: [UInt8], totalSize: Int? = nil, eTag: String? = nil, contentType: String? = nil) {
        self.bytes = bytes
        self.contentLength = bytes.count
        self.totalSize = totalSize
        self.eTag = eTag
        self.contentType = contentType
    }
}
