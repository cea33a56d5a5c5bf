import Kafka

/// Builds the records a slice produces, with the headers of DESIGN.md §3.
public struct JobRecords: Sendable {
    public var topics: TopicSettings
    public var workerID: String

    public init(topics: TopicSettings, workerID: String) {
        self.topics = topics
        self.workerID = workerID
    }

    /// topic/partition/offset of the job's first message: kept from the input's header,
    /// or the input itself when it is that first message.
    public static func origin(of input: KafkaMessage) -> String {
        if let origin = input.header(JobHeaders.origin) { return String(decoding: origin, as: UTF8.self) }
        return "\(input.topic)/\(input.partition)/\(input.offset)"
    }

    public func continuation(_ job: JobEnvelope, input: KafkaMessage, reason: HandoffReason) -> OutgoingRecord {
        OutgoingRecord(
            topic: topics.jobs.name,
            key: Array(job.jobId.utf8),
            value: JobEnvelopeCodec.encode(job),
            headers: [
                KafkaHeader(name: JobHeaders.attempt, string: String(job.slices + 1)),
                KafkaHeader(name: JobHeaders.retriesLeft, string: String(job.retriesLeft)),
                KafkaHeader(name: JobHeaders.origin, string: Self.origin(of: input)),
                KafkaHeader(name: JobHeaders.worker, string: workerID),
                KafkaHeader(name: JobHeaders.handoff, string: reason.rawValue),
            ] + Self.lineage(of: input)
        )
    }

    /// The replay counter of the input, carried on: a replayed job's continuations stay in
    /// its new lineage (``JobLineage``), and its dead letters tell `baton replay` how often
    /// it was replayed (`--max-replays`).
    static func lineage(of input: KafkaMessage) -> [KafkaHeader] {
        guard let replays = input.header(JobHeaders.replays) else { return [] }
        return [KafkaHeader(name: JobHeaders.replays, value: replays)]
    }

    /// A new job as producers publish it.
    public func newJob(_ job: JobEnvelope) -> OutgoingRecord {
        OutgoingRecord(
            topic: topics.jobs.name,
            key: Array(job.jobId.utf8),
            value: JobEnvelopeCodec.encode(job),
            headers: [
                KafkaHeader(name: JobHeaders.attempt, string: "1"),
                KafkaHeader(name: JobHeaders.retriesLeft, string: String(job.retriesLeft)),
            ]
        )
    }

    /// A dead letter of a job that could be read: its envelope, as it stood.
    public func deadLetter(_ job: JobEnvelope, input: KafkaMessage, kind: DeadLetterKind, reason: String) -> OutgoingRecord {
        OutgoingRecord(
            topic: topics.deadLetters.name,
            key: Array(job.jobId.utf8),
            value: JobEnvelopeCodec.encode(job),
            headers: deadLetterHeaders(input: input, kind: kind, reason: reason) + Self.lineage(of: input)
        )
    }

    /// A dead letter of a message that could not be read: key, value and headers
    /// untouched, so it can be inspected and replayed as it arrived.
    public func poison(_ input: KafkaMessage, reason: String) -> OutgoingRecord {
        OutgoingRecord(
            topic: topics.deadLetters.name,
            key: input.key,
            value: input.value,
            headers: input.headers.filter { !$0.name.hasPrefix("baton-error") && $0.name != JobHeaders.deadLetterSource }
                + deadLetterHeaders(input: input, kind: .poison, reason: reason)
        )
    }

    /// A dead letter cut down to what any broker accepts, marked as such.
    public func truncated(_ letter: OutgoingRecord) -> OutgoingRecord {
        var cut = letter
        cut.key = letter.key.map { Array($0.prefix(JobEnvelopeCodec.maxKeyBytes)) }
        cut.value = Array(letter.value.prefix(64 * 1024))
        cut.headers.append(KafkaHeader(
            name: JobHeaders.truncated,
            string: "key \(letter.key?.count ?? 0) bytes, value \(letter.value.count) bytes before truncation"
        ))
        return cut
    }

    private func deadLetterHeaders(input: KafkaMessage, kind: DeadLetterKind, reason: String) -> [KafkaHeader] {
        [
            KafkaHeader(name: JobHeaders.errorKind, string: kind.rawValue),
            KafkaHeader(name: JobHeaders.error, string: String(reason.prefix(4096))),
            KafkaHeader(name: JobHeaders.deadLetterSource, string: Self.position(of: input)),
            KafkaHeader(name: JobHeaders.worker, string: workerID),
        ]
    }

    /// An outcome record, keyed by job id; with `input`, it names that message
    /// (``JobHeaders/source``) as the one whose run produced it.
    public func outcome(_ record: OutcomeRecord, input: KafkaMessage? = nil) -> OutgoingRecord {
        OutgoingRecord(
            topic: topics.outcomes.name, key: Array(record.jobId.utf8), value: OutcomeRecord.encode(record),
            headers: input.map { [KafkaHeader(name: JobHeaders.source, string: Self.position(of: $0))] } ?? [])
    }

    /// topic/partition/offset of a message: how dead letters (``JobHeaders/deadLetterSource``)
    /// and outcomes (``JobHeaders/source``) name the message they came from.
    public static func position(of message: KafkaMessage) -> String {
        RecordPosition(message).description
    }
}
