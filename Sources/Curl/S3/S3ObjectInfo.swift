import Foundation

/// An object's metadata from ``S3Client/headObject(bucket:key:versionId:ifMatch:)``.
public struct S3ObjectInfo: Sendable, Hashable {
    /// Size in bytes.
    public var size: Int
    /// The entity tag, without quotes.
    public var eTag: String?
    public var lastModified: Date?
    public var contentType: String?
    /// `x-amz-version-id`: the version described, in a versioned bucket (nil otherwise).
    public var versionId: String?

    public init(size: Int, eTag: String? = nil, lastModified: Date? = nil, contentType: String? = nil, versionId: String? = nil) {
        self.size = size
        self.eTag = eTag
        self.lastModified = lastModified
        self.contentType = contentType
        self.versionId = versionId
    }
}
