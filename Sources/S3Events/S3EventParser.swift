/// Turns an S3 event notification into object events. Accepts the forms S3 delivers
/// in: the `Records` document itself (also as sent by MinIO's webhook), wrapped in an
/// SNS notification (HTTP delivery or a Lambda/SQS record), and EventBridge's
/// "Object Created" event.
public enum S3EventParser {
    public static func parse(_ payload: [UInt8]) throws -> S3EventBatch {
        try parse(try JSONNode.parse(payload), depth: 0)
    }

    static func parse(_ node: JSONNode, depth: Int) throws -> S3EventBatch {
        guard depth < 4 else { throw S3EventError(path: node.path, reason: "notifications nested too deeply") }
        guard node.isObject else { throw S3EventError(path: node.path, reason: "expected a JSON object") }
        if let records = node.child("Records") {
            let isMinIO = node.child("EventName") != nil && node.child("Key") != nil
            var batch = S3EventBatch()
            for record in try records.array() {
                batch.append(try parseRecord(record, format: isMinIO ? .minio : .s3Notification, depth: depth))
            }
            return batch
        }
        if let type = node.child("Type"), let message = node.child("Message") {
            switch try type.string() {
            case "Notification": return try parseEmbedded(message, format: .sns, depth: depth)
            case let other: return S3EventBatch(skipped: [.init(path: type.path, reason: "SNS \(other) message, not a notification")])
            }
        }
        if let source = node.child("source"), let detailType = node.child("detail-type") {
            return try parseEventBridge(node, source: try source.string(), detailType: try detailType.string())
        }
        if let event = node.child("Event"), (try? event.string()) == "s3:TestEvent" {
            return S3EventBatch(skipped: [.init(path: event.path, reason: "S3 test event")])
        }
        throw S3EventError(
            path: node.path,
            reason: "not an S3 event notification: expected a Records array, an SNS Notification or an EventBridge event"
        )
    }

    private static func parseRecord(_ record: JSONNode, format: S3EventFormat, depth: Int) throws -> S3EventBatch {
        if let sns = record.child("Sns") {
            return try parseEmbedded(try sns.required("Message"), format: .sns, depth: depth)
        }
        if (try? record.child("eventSource")?.string()) == "aws:sqs" {
            return try parseEmbedded(try record.required("body"), format: .sqs, depth: depth)
        }
        let eventName = try record.required("eventName").string()
        guard eventName.hasPrefix("ObjectCreated:") || eventName.hasPrefix("s3:ObjectCreated:") else {
            return S3EventBatch(skipped: [.init(path: record.path, reason: "\(eventName) is not an object-created event")])
        }
        let s3 = try record.required("s3")
        let object = try s3.required("object")
        let keyNode = try object.required("key")
        guard let key = S3KeyDecoding.decode(try keyNode.nonEmptyString()) else {
            throw S3EventError(path: keyNode.path, reason: "not a valid URL-encoded key")
        }
        let event = S3ObjectEvent(
            bucket: try s3.required("bucket").required("name").nonEmptyString(),
            key: key,
            size: try object.child("size")?.nonNegativeInt(),
            eTag: try object.child("eTag")?.string(),
            versionId: try object.child("versionId")?.string(),
            sequencer: try object.child("sequencer")?.string(),
            eventTime: try record.child("eventTime")?.string(),
            eventName: eventName,
            region: try record.child("awsRegion")?.string(),
            format: format
        )
        return S3EventBatch(events: [event])
    }

    /// SNS and SQS carry the S3 document as a JSON string.
    private static func parseEmbedded(_ message: JSONNode, format: S3EventFormat, depth: Int) throws -> S3EventBatch {
        let inner = try JSONNode.parse(Array(try message.string().utf8), path: message.path)
        var batch = try parse(inner, depth: depth + 1)
        for index in batch.events.indices { batch.events[index].format = format }
        return batch
    }

    private static func parseEventBridge(_ node: JSONNode, source: String, detailType: String) throws -> S3EventBatch {
        guard source == "aws.s3" else {
            throw S3EventError(path: node.path.isEmpty ? "source" : "\(node.path).source", reason: "expected aws.s3, got \(source)")
        }
        guard detailType == "Object Created" else {
            return S3EventBatch(skipped: [.init(path: node.path, reason: "EventBridge \(detailType) is not an object-created event")])
        }
        let detail = try node.required("detail")
        let object = try detail.required("object")
        let keyNode = try object.required("key")
        guard let key = S3KeyDecoding.decode(try keyNode.nonEmptyString()) else {
            throw S3EventError(path: keyNode.path, reason: "not a valid URL-encoded key")
        }
        let event = S3ObjectEvent(
            bucket: try detail.required("bucket").required("name").nonEmptyString(),
            key: key,
            size: try object.child("size")?.nonNegativeInt(),
            eTag: try object.child("etag")?.string(),
            versionId: try object.child("version-id")?.string(),
            sequencer: try object.child("sequencer")?.string(),
            eventTime: try node.child("time")?.string(),
            eventName: "ObjectCreated:" + ((try? detail.child("reason")?.string()) ?? "Put"),
            region: try node.child("region")?.string(),
            format: .eventBridge
        )
        return S3EventBatch(events: [event])
    }
}
