import Foundation
import S3Events

/// What `baton publish` publishes: one object named by its URI, or the object events of an
/// S3 event notification in any form `S3EventParser` reads.
public enum PublishInput {
    /// The object at `uri` (`s3://BUCKET/KEY`, the key taken literally), as an event of now.
    /// - Throws: `S3EventError` when `uri` is not an s3:// URI.
    public static func object(uri: String, size: Int?, eTag: String?, versionId: String?) throws -> S3EventBatch {
        let object = try S3URI(parsing: uri)
        return S3EventBatch(events: [
            S3ObjectEvent(bucket: object.bucket, key: object.key, size: size, eTag: eTag, versionId: versionId, eventTime: Timestamp.format(Date()))
        ])
    }

    /// The object events (and the records skipped, with reasons) in `payload`.
    /// - Throws: `UnusableNotification` when `payload` is not JSON or not an S3 event
    ///   notification, naming the offending field.
    public static func notification(_ payload: [UInt8]) throws(UnusableNotification) -> S3EventBatch {
        do {
            return try S3EventParser.parse(payload)
        } catch {
            throw UnusableNotification(reason: "\(error)")
        }
    }
}
