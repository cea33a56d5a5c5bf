import Foundation
import Kafka
import Logging

/// Answers `baton jobs` from the topics themselves: reads them from the beginning to the
/// end of each partition (outside any consumer group; nothing is committed). It needs no
/// offset look-up, so it is exact also on brokers whose look-ups are approximate.
public struct JobsReader: Sendable {
    /// How to reach the cluster.
    public var kafka: KafkaSettings
    /// The jobs, dead-letter and outcomes topics to read.
    public var topics: TopicSettings
    public var logger: Logger
    /// How long reading one topic may take.
    public var timeout: Duration

    public init(kafka: KafkaSettings, topics: TopicSettings, logger: Logger, timeout: Duration = .seconds(300)) {
        self.kafka = kafka
        self.topics = topics
        self.logger = logger
        self.timeout = timeout
    }

    /// The jobs in flight: per job id, the newest envelope on the jobs topic, unless an
    /// outcome for the job was recorded at or after it (a replayed job is in flight again
    /// although it has an older outcome). Oldest first.
    /// - Throws: ``KafkaError``; ``JobsError/timedOut(_:)``.
    public func inFlight(now: Date = Date()) async throws -> [InFlightJob] {
        var newest: [String: KafkaMessage] = [:]
        try await TopicScan.readAll(topic: topics.jobs.name, clientProperties: kafka.clientProperties, timeout: timeout, logger: logger) { message in
            guard let key = message.key else { return }
            let jobId = String(decoding: key, as: UTF8.self)
            if let known = newest[jobId], Self.isOlder(message, than: known) { return }
            newest[jobId] = message
        }
        var finished: [String: Date] = [:]
        try await TopicScan.readAll(topic: topics.outcomes.name, clientProperties: kafka.clientProperties, timeout: timeout, logger: logger) { message in
            guard let key = message.key else { return }
            let at = message.timestamp ?? .distantFuture
            finished[String(decoding: key, as: UTF8.self)] = max(finished[String(decoding: key, as: UTF8.self)] ?? .distantPast, at)
        }
        var jobs: [InFlightJob] = []
        for (jobId, message) in newest {
            if let done = finished[jobId], done >= message.timestamp ?? .distantPast { continue }
            guard case .success(let job) = JobEnvelopeCodec.decode(key: message.key, value: message.value) else { continue }
            jobs.append(InFlightJob(
                jobId: jobId, report: "s3://\(job.source.bucket)/\(job.source.key)", stage: job.stage, slices: job.slices,
                retriesLeft: job.retriesLeft, createdAt: job.createdAt, ageSeconds: now.timeIntervalSince(job.createdAt),
                lastWorker: message.header(JobHeaders.worker).map { String(decoding: $0, as: UTF8.self) },
                handoff: message.header(JobHeaders.handoff).map { String(decoding: $0, as: UTF8.self) },
                notBefore: job.notBefore, lastErrorKind: job.lastError?.kind, replays: ReplayRewrite.replays(of: message),
                partition: message.partition, offset: message.offset, timestamp: message.timestamp))
        }
        return jobs.sorted { ($0.createdAt, $0.jobId) < ($1.createdAt, $1.jobId) }
    }

    /// Every record about `jobId` on the jobs, dead-letter and outcomes topics, in time
    /// order (records of one topic partition in offset order).
    /// - Throws: ``KafkaError``; ``JobsError/timedOut(_:)``.
    public func history(of jobId: String) async throws -> [JobHistoryEntry] {
        let key = Array(jobId.utf8)
        var entries: [JobHistoryEntry] = []
        for topic in [topics.jobs.name, topics.deadLetters.name, topics.outcomes.name] {
            try await TopicScan.readAll(topic: topic, clientProperties: kafka.clientProperties, timeout: timeout, logger: logger) { message in
                guard message.key == key else { return }
                entries.append(entry(message))
            }
        }
        let rank = [topics.jobs.name: 0, topics.deadLetters.name: 1, topics.outcomes.name: 2]
        return entries.sorted {
            ($0.timestamp ?? .distantPast, rank[$0.topic] ?? 3, $0.partition, $0.offset)
                < ($1.timestamp ?? .distantPast, rank[$1.topic] ?? 3, $1.partition, $1.offset)
        }
    }

    private func entry(_ message: KafkaMessage) -> JobHistoryEntry {
        func header(_ name: String) -> String? { message.header(name).map { String(decoding: $0, as: UTF8.self) } }
        let kind: JobHistoryEntry.Kind =
            if message.topic == topics.outcomes.name { .outcome }
            else if message.topic == topics.deadLetters.name { .deadLetter }
            else if header(JobHeaders.replayedFrom) != nil { .replay }
            else if header(JobHeaders.handoff) != nil || header(JobHeaders.worker) != nil { .continuation }
            else { .new }
        var entry = JobHistoryEntry(
            kind: kind, topic: message.topic, partition: message.partition, offset: message.offset, timestamp: message.timestamp,
            handoff: header(JobHeaders.handoff), worker: header(JobHeaders.worker),
            errorKind: header(JobHeaders.errorKind), message: header(JobHeaders.error),
            replays: header(JobHeaders.replays).flatMap { Int($0) }, replayedFrom: header(JobHeaders.replayedFrom))
        if kind == .outcome {
            guard let outcome = try? OutcomeRecord.decode(message.value) else {
                entry.unreadable = true
                return entry
            }
            entry.status = outcome.status.rawValue
            entry.errorKind = outcome.errorKind
            entry.message = outcome.message
            entry.slices = outcome.slices
            entry.worker = outcome.worker ?? entry.worker
            return entry
        }
        guard case .success(let job) = JobEnvelopeCodec.decode(key: message.key, value: message.value) else {
            entry.unreadable = true
            return entry
        }
        entry.stage = job.stage
        entry.slices = job.slices
        entry.retriesLeft = job.retriesLeft
        entry.notBefore = job.notBefore
        return entry
    }

    /// Order of two messages of one job: offsets within a partition, else timestamps.
    private static func isOlder(_ message: KafkaMessage, than other: KafkaMessage) -> Bool {
        if message.partition == other.partition { return message.offset < other.offset }
        return (message.timestamp ?? .distantPast) < (other.timestamp ?? .distantPast)
    }
}
