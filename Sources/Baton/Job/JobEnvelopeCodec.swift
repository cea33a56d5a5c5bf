import Foundation

/// Reads and writes envelopes as JSON with ISO-8601 dates, and turns everything wrong
/// with a message into one readable reason for the dead-letter topic.
public enum JobEnvelopeCodec {
    public static let maxKeyBytes = 1024
    public static let maxJobIdLength = 256

    public static func encode(_ envelope: JobEnvelope) -> [UInt8] {
        // Encoding a value of our own types cannot fail.
        return Array(try! BatonJSON.encoder().encode(envelope))
    }

    /// The envelope, or why the message is poison.
    public static func decode(key: [UInt8]?, value: [UInt8]) -> Result<JobEnvelope, PoisonReason> {
        if let key, key.count > maxKeyBytes {
            return .failure(PoisonReason("message key is \(key.count) bytes; job ids are at most \(maxKeyBytes)"))
        }
        if JSONReadLimits.exceedsMaxDepth(value) {
            return .failure(PoisonReason(JSONReadLimits.firstProblem(in: value) ?? "nested more than \(JSONReadLimits.maxDepth) levels deep"))
        }
        let decoder = BatonJSON.decoder()
        let envelope: JobEnvelope
        do {
            envelope = try decoder.decode(JobEnvelope.self, from: Data(value))
        } catch let error as DecodingError {
            // Foundation says "not valid JSON" about a nesting too deep and "expected
            // Dictionary" about a number too large, without where: name both.
            return .failure(PoisonReason(JSONReadLimits.firstProblem(in: value) ?? error.readableDescription))
        } catch {
            return .failure(PoisonReason(JSONReadLimits.firstProblem(in: value) ?? "not a job envelope: \(error)"))
        }
        if let path = DuplicateKeys.first(in: value) {
            return .failure(PoisonReason("\(path): appears twice in one object; readers disagree on which one counts, so the envelope is ambiguous"))
        }
        if let problem = validate(envelope, key: key) { return .failure(PoisonReason(problem)) }
        return .success(envelope)
    }

    private static func validate(_ envelope: JobEnvelope, key: [UInt8]?) -> String? {
        if envelope.jobId.isEmpty || envelope.jobId.utf8.count > maxJobIdLength { return "jobId: must be 1 to \(maxJobIdLength) bytes" }
        if let key, String(decoding: key, as: UTF8.self) != envelope.jobId { return "message key does not match jobId \"\(envelope.jobId)\"" }
        if envelope.retriesLeft < 0 { return "retriesLeft: must not be negative, got \(envelope.retriesLeft)" }
        if envelope.slices < 0 { return "slices: must not be negative, got \(envelope.slices)" }
        if envelope.source.bucket.isEmpty || envelope.source.key.isEmpty { return "source: bucket and key must not be empty" }
        if let size = envelope.source.size, size < 0 { return "source.size: must not be negative, got \(size)" }
        if envelope.birst.uploadedBytes < 0 { return "birst.uploadedBytes: must not be negative" }
        if let size = envelope.source.size, envelope.birst.uploadedBytes > size { return "birst.uploadedBytes: beyond the object's size \(size)" }
        if envelope.target.spaceId.isEmpty || envelope.target.sourceName.isEmpty { return "target: spaceId and sourceName must not be empty" }
        if let problem = timeOutOfRange(envelope) { return problem }
        switch envelope.stage {
        case .awaitUpload where envelope.birst.uploadToken == nil: return "stage awaitUpload needs birst.uploadToken"
        case .awaitPublish where envelope.birst.publishToken == nil: return "stage awaitPublish needs birst.publishToken"
        case .notify where envelope.result == nil: return "stage notify needs result"
        default: return nil
        }
    }
}

extension JobEnvelopeCodec {
    /// Times an envelope may carry: from 1970 up to (not including) 2200. Outside that no
    /// producer meant it, and waits and durations computed from it would overflow (a
    /// `notBefore` of 9999 once crashed every worker that took its partition).
    static let timeRange = Date(timeIntervalSince1970: 0)..<Date(timeIntervalSince1970: 7_258_118_400)

    static func timeOutOfRange(_ envelope: JobEnvelope) -> String? {
        let times: [(String, Date?)] = [
            ("createdAt", envelope.createdAt), ("notBefore", envelope.notBefore), ("firstSliceAt", envelope.firstSliceAt),
            ("birst.uploadStartedAt", envelope.birst.uploadStartedAt), ("birst.uploadFinishedAt", envelope.birst.uploadFinishedAt),
            ("birst.publishRequestedAt", envelope.birst.publishRequestedAt), ("birst.publishStartedAt", envelope.birst.publishStartedAt),
            ("birst.publishFinishedAt", envelope.birst.publishFinishedAt), ("lastError.at", envelope.lastError?.at),
            ("result.finishedAt", envelope.result?.finishedAt),
        ]
        for case let (name, time?) in times where !timeRange.contains(time) {
            return "\(name): \(Timestamp.format(time)) is outside 1970-01-01 to 2199-12-31"
        }
        return nil
    }
}

extension DecodingError {
    /// `retriesLeft: expected Int, found a string` rather than Foundation's dump.
    var readableDescription: String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let joined = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "envelope" : joined.replacingOccurrences(of: ".[", with: "[")
        }
        switch self {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type), found null"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing"
        case .dataCorrupted(let context):
            // Foundation reports a number it cannot represent (1.5 or 1e20 for an Int)
            // without a path or detail, exactly as broken JSON: say both.
            if context.codingPath.isEmpty { return "not valid JSON, or a number its field cannot hold (e.g. 1.5 or 1e20 for an integer)" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "not a job envelope"
        }
    }
}
