import Curl

/// The S3 reads of a slice: a HEAD of the version the event named, and ranged GETs of
/// it. The worker uses ``S3Client``; unit tests an object held in memory. Errors are
/// ``S3Error`` (a 412 when `ifMatch` no longer matches) or, for the transport, ``CurlError``.
public protocol ObjectStore: Sendable {
    /// Size (bytes), entity tag and version of `key`; `versionId` pins a version,
    /// `ifMatch` is the entity tag the object must still have.
    func headObject(bucket: String, key: String, versionId: String?, ifMatch: String?) async throws -> S3ObjectInfo
    /// The bytes of `range` (byte offsets, end exclusive), pinned and guarded as for `headObject`.
    func getObject(bucket: String, key: String, range: Range<Int>?, versionId: String?, ifMatch: String?) async throws -> S3Object
}

extension S3Client: ObjectStore {}
