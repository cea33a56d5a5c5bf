import Foundation
import Kafka

/// What a replay changes on each copy, and which copies it refuses.
///
/// Every copy keeps the record's key, value and headers, except:
/// - `baton-replays` becomes the record's value + 1 (absent counts as 0): the worker
///   treats the copy as a new lineage of the job (``JobLineage``), so a replayed dead
///   letter is not skipped as a stale copy;
/// - `baton-replayed-from` (topic/partition/offset of the record copied) and
///   `baton-replay-run` (this run's id) are added;
/// - the dead-letter headers `baton-error-kind`, `baton-error` and `baton-dlq-source` are
///   dropped: the copy is a job again, not a dead letter. The dead letter itself stays on
///   the dead-letter topic (a replay never deletes anything), `baton-replayed-from` points
///   at it, and the envelope keeps `lastError` unless retries are reset.
///
/// The body is decoded only when one of the envelope options is set; then unknown
/// envelope fields survive (``JobEnvelope`` keeps them).
public struct ReplayRewrite: Sendable, Hashable {
    /// Set `retriesLeft` (and `baton-retries-left`) to this; also clears `lastError`.
    public var resetRetries: Int?
    /// Set the job's stage; going back to a stage before `notify` clears `result`, and to
    /// one before `awaitPublish` clears `birst.publishRequestedAt` (an operator replaying
    /// an `unconfirmed` job to `publish` has checked Birst and asks for the publish).
    public var stage: JobStage?
    /// Set `createdAt` to the time of the replay, so an old job passes the worker's
    /// `worker.maxJobAge`; the original time is kept in the envelope as `replayedCreatedAt`.
    public var resetAge: Bool
    /// Set `slices` to 0, so a job passes `worker.maxSlices` again.
    public var resetSlices: Bool
    /// Records already replayed this many times (`baton-replays`) are refused.
    public var maxReplays: Int

    public init(resetRetries: Int? = nil, stage: JobStage? = nil, resetAge: Bool = false, resetSlices: Bool = false, maxReplays: Int = 3) {
        self.resetRetries = resetRetries
        self.stage = stage
        self.resetAge = resetAge
        self.resetSlices = resetSlices
        self.maxReplays = maxReplays
    }

    /// True when copies need their body decoded and re-encoded.
    public var changesEnvelope: Bool { resetRetries != nil || stage != nil || resetAge || resetSlices }

    /// Headers `baton replay` drops from each copy (see the type's documentation).
    public static let droppedHeaders: Set<String> = [
        JobHeaders.errorKind, JobHeaders.error, JobHeaders.deadLetterSource,
        JobHeaders.replays, JobHeaders.replayedFrom, JobHeaders.replayRun,
    ]

    /// How often the record was replayed before (its `baton-replays` header).
    public static func replays(of message: KafkaMessage) -> Int {
        message.header(JobHeaders.replays).flatMap { DecimalBytes.parse($0) } ?? 0
    }

    /// The copy of `message` for `destination`, or why it is refused.
    public func copy(_ message: KafkaMessage, to destination: String, runID: String, now: Date = Date()) -> Result<OutgoingRecord, ReplayRefusal> {
        copy(message, to: destination, runHeader: KafkaHeader(name: JobHeaders.replayRun, string: runID), now: now).map {
            OutgoingRecord(topic: $0.topic, key: $0.key, value: $0.value, headers: $0.headers)
        }
    }

    /// The copy of `message` for the producer; `runHeader` is the run's `baton-replay-run`
    /// header, made once per run. Header values are written as bytes, without a formatted
    /// string per copy (issue 10: allocations were a sixth of a copy's CPU).
    func copy(_ message: KafkaMessage, to destination: String, runHeader: KafkaHeader, now: Date? = nil) -> Result<ProducerRecord, ReplayRefusal> {
        // One pass over the headers for the replay count, the truncation mark (the last of
        // each wins, as ``KafkaMessage/header(_:)`` reads them) and the headers kept.
        var replays = 0
        var truncated = false
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(message.headers.count + 3)
        for header in message.headers {
            if header.name == JobHeaders.replays {
                replays = header.value.flatMap { DecimalBytes.parse($0) } ?? 0
            } else if header.name == JobHeaders.truncated {
                truncated = header.value != nil
            }
            if !Self.droppedHeaders.contains(header.name) { headers.append(header) }
        }
        if replays >= maxReplays { return .failure(.maxReplays) }
        if truncated { return .failure(.truncated) }
        var value = message.value
        if changesEnvelope {
            guard case .success(var job) = JobEnvelopeCodec.decode(key: message.key, value: message.value) else {
                return .failure(.unreadable)
            }
            apply(to: &job, now: now ?? Date())
            value = JobEnvelopeCodec.encode(job)
            if case .failure = JobEnvelopeCodec.decode(key: message.key, value: value) { return .failure(.invalidRewrite) }
            if resetRetries != nil {
                headers.removeAll { $0.name == JobHeaders.retriesLeft }
                headers.append(KafkaHeader(name: JobHeaders.retriesLeft, string: String(job.retriesLeft)))
            }
        }
        headers.append(KafkaHeader(name: JobHeaders.replays, value: DecimalBytes.of(replays + 1)))
        var from: [UInt8] = []
        from.reserveCapacity(message.topic.utf8.count + 32)
        from.append(contentsOf: message.topic.utf8)
        from.append(UInt8(ascii: "/"))
        DecimalBytes.append(Int64(message.partition), to: &from)
        from.append(UInt8(ascii: "/"))
        DecimalBytes.append(message.offset, to: &from)
        headers.append(KafkaHeader(name: JobHeaders.replayedFrom, value: from))
        headers.append(runHeader)
        return .success(ProducerRecord(topic: destination, key: message.key, value: value, headers: headers))
    }

    /// The envelope changes alone (for tests and dry runs).
    public func apply(to job: inout JobEnvelope, now: Date = Date()) {
        if let resetRetries {
            job.retriesLeft = resetRetries
            job.lastError = nil
        }
        if let stage {
            job.stage = stage
            if stage != .notify { job.result = nil }
            if [.upload, .awaitUpload, .publish].contains(stage) { job.birst.publishRequestedAt = nil }
        }
        if resetAge {
            if job.unknownFields["replayedCreatedAt"] == nil {
                job.unknownFields["replayedCreatedAt"] = .string(Timestamp.format(job.createdAt))
            }
            job.createdAt = now
        }
        if resetSlices { job.slices = 0 }
        job.notBefore = nil
    }
}
