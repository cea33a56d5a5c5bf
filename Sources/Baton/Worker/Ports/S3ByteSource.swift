import Birst
import Curl

/// The report's bytes for the chunked upload: one ranged S3 GET per chunk, all of one
/// object version. Reads pin `versionId` when the event named one; otherwise they are
/// guarded by the entity tag (`If-Match`), so an object overwritten during the upload
/// fails the read (S3 412) instead of mixing two versions into one upload.
struct S3ByteSource: ByteSource {
    var s3: any ObjectStore
    var bucket: String
    var key: String
    /// The version the event named (nil: no versioning, or none named).
    var versionId: String?
    /// The entity tag the object must still have; nil only when `versionId` pins the read.
    var eTag: String?

    func read(_ range: Range<Int64>, deadline: Deadline) async throws -> [UInt8] {
        guard !deadline.hasPassed else { throw SliceFailure.outOfTime }
        return try await s3.getObject(
            bucket: bucket, key: key, range: Int(range.lowerBound)..<Int(range.upperBound),
            versionId: versionId, ifMatch: versionId == nil ? eTag : nil
        ).bytes
    }
}
