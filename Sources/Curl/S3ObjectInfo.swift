import Foundation

/// An object's metadata from ``S3Client/headObject(bucket:key:)``.
public struct S3ObjectInfo: Sendable, Hashable {
    /// Size in bytes.
    public var size: Int
    /// The entity tag, without quotes.
    public var eTag: String?
    public var lastModified: Date?
    public var contentType: String?

    public init(size: Int, eTag: String? = nil, lastModified: Date? = nil, contentType: String? = nil) {
        self.size = size
        self.eTag = eTag
        self.lastModified = lastModified
        self.contentType = contentType
    }
}
