import Birst
import Curl

/// The report's bytes for the chunked upload: one ranged S3 GET per chunk.
struct S3ByteSource: ByteSource {
    var s3: S3Client
    var bucket: String
    var key: String

    func read(_ range: Range<Int64>, deadline: Deadline) async throws -> [UInt8] {
        guard !deadline.hasPassed else { throw SliceFailure.outOfTime }
        return try await s3.getObject(bucket: bucket, key: key, range: Int(range.lowerBound)..<Int(range.upperBound)).bytes
    }
}
