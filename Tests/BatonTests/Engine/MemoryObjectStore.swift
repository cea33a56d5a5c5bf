import Baton
import Curl
import Synchronization

/// An ``ObjectStore`` holding objects in memory, answering as S3 does: 404 for a missing
/// key, 412 when `ifMatch` names another entity tag. Counts the reads it served.
final class MemoryObjectStore: ObjectStore {
    struct Object {
        var bytes: [UInt8]
        var eTag: String
        var versionId: String?
    }

    private let state = Mutex<(objects: [String: Object], reads: Int)>(([:], 0))

    func put(_ bucket: String, _ key: String, _ bytes: [UInt8], eTag: String, versionId: String? = nil) {
        state.withLock { $0.objects["\(bucket)/\(key)"] = Object(bytes: bytes, eTag: eTag, versionId: versionId) }
    }

    var reads: Int { state.withLock { $0.reads } }

    func headObject(bucket: String, key: String, versionId: String?, ifMatch: String?) async throws -> S3ObjectInfo {
        let object = try find(bucket, key, ifMatch: ifMatch)
        return S3ObjectInfo(size: object.bytes.count, eTag: object.eTag, versionId: object.versionId)
    }

    func getObject(bucket: String, key: String, range: Range<Int>?, versionId: String?, ifMatch: String?) async throws -> S3Object {
        let object = try find(bucket, key, ifMatch: ifMatch)
        state.withLock { $0.reads += 1 }
        let slice = range.map { Array(object.bytes[$0.clamped(to: 0..<object.bytes.count)]) } ?? object.bytes
        return S3Object(bytes: slice, totalSize: object.bytes.count, eTag: object.eTag, contentType: "text/csv")
    }

    private func find(_ bucket: String, _ key: String, ifMatch: String?) throws -> Object {
        guard let object = state.withLock({ $0.objects["\(bucket)/\(key)"] }) else { throw S3Error.notFound(bucket: bucket, key: key) }
        if let ifMatch, ifMatch.trimmingCharacters(in: ["\""]) != object.eTag {
            throw S3Error.http(status: 412, code: "PreconditionFailed", message: "At least one of the pre-conditions you specified did not hold", bucket: bucket, key: key)
        }
        return object
    }
}
