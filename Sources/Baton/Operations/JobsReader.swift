import Foundation
import Kafka
import Logging

/// Answers `baton jobs` from the topics themselves: reads them from the beginning to the
/// end of each partition (outside any consumer group; nothing is committed), and asks what
/// the workers' group committed on the jobs topic. It needs no look-up by time or
/// watermark, so it is exact also on brokers whose look-ups are approximate (Tansu); a
/// group's committed offsets are stored values, not estimates.
public struct JobsReader: Sendable {
    /// How to reach the cluster.
    public var kafka: KafkaSettings
    /// The jobs, dead-letter and outcomes topics to read.
    public var topics: TopicSettings
    /// Where the reader's clients log.
    public var logger: Logger
    /// How long reading one topic may take.
    public var timeout: Duration

    public init(kafka: KafkaSettings, topics: TopicSettings, logger: Logger, timeout: Duration = .seconds(300)) {
        self.kafka = kafka
        self.topics = topics
        self.logger = logger
        self.timeout = timeout
    }

    /// The jobs in flight: per job id, the newest envelope on the jobs topic, unless the
    /// workers' group committed past it or an outcome covers it (``InFlightRule``; a
    /// replayed job is in flight again although it has an older outcome). Oldest first.
    /// - Parameter commits: the group's commits, read before the topics (``commits()``);
    ///   nil to read them first here.
    /// - Throws: ``KafkaError``; ``JobsError/timedOut(_:)``.
    public func inFlight(now: Date = Date(), commits: GroupCommits? = nil) async throws -> [InFlightJob] {
        let commits = if let commits { commits } else { try await self.commits() }
        var newest: [String: KafkaMessage] = [:]
        try await TopicScan.readAll(topic: topics.jobs.name, clientProperties: kafka.clientProperties, timeout: timeout, logger: logger) { message in
            guard let key = message.key else { return }
            let jobId = String(decoding: key, as: UTF8.self)
            if let known = newest[jobId], Self.isOlder(message, than: known) { return }
            newest[jobId] = message
        }
        var outcomes: [String: [InFlightRule.OutcomeMark]] = [:]
        try await TopicScan.readAll(topic: topics.outcomes.name, clientProperties: kafka.clientProperties, timeout: timeout, logger: logger) { message in
            guard let key = message.key else { return }
            let jobId = String(decoding: key, as: UTF8.self)
            // Only jobs the jobs topic knows: an outcome without one (unrouted) decides nothing.
            guard newest[jobId] != nil else { return }
            outcomes[jobId, default: []].append(InFlightRule.OutcomeMark(
                source: message.header(JobHeaders.source).flatMap { RecordPosition(String(decoding: $0, as: UTF8.self)) },
                timestamp: message.timestamp))
        }
        let rule = InFlightRule(jobsTopic: topics.jobs.name)
        var jobs: [InFlightJob] = []
        for (jobId, message) in newest {
            guard case .success(let job) = JobEnvelopeCodec.decode(key: message.key, value: message.value) else { continue }
            let state = rule.state(
                newest: InFlightRule.Position(partition: message.partition, offset: message.offset, timestamp: message.timestamp),
                outcomeAwaitsNotifications: Self.awaitsNotifications(job), outcomes: outcomes[jobId] ?? [],
                committed: commits.offsets[message.partition])
            guard state.isInFlight else { continue }
            jobs.append(InFlightJob(
                jobId: jobId, report: "s3://\(job.source.bucket)/\(job.source.key)", stage: job.stage, state: state,
                outcomeStatus: state == .notificationsPending ? job.result?.status.rawValue : nil, slices: job.slices,
                retriesLeft: job.retriesLeft, createdAt: job.createdAt, ageSeconds: now.timeIntervalSince(job.createdAt),
                lastWorker: message.header(JobHeaders.worker).map { String(decoding: $0, as: UTF8.self) },
                handoff: message.header(JobHeaders.handoff).map { String(decoding: $0, as: UTF8.self) },
                notBefore: job.notBefore, lastErrorKind: job.lastError?.kind, replays: ReplayRewrite.replays(of: message),
                partition: message.partition, offset: message.offset, timestamp: message.timestamp))
        }
        return jobs.sorted { ($0.createdAt, $0.jobId) < ($1.createdAt, $1.jobId) }
    }

    /// The offsets the workers' group (`kafka.groupId`) has committed on the jobs topic.
    /// Read them before the topics: a commit covers only records already written, so the
    /// scans that follow see whatever the committed messages produced.
    /// - Throws: ``KafkaError`` when the topics cannot be listed; a failed offset look-up
    ///   is not thrown but kept in ``GroupCommits/failure`` (then only outcomes decide).
    public func commits() async throws -> GroupCommits {
        let group = kafka.groupID
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(kafka.clientProperties), logger: logger)
        defer { admin.shutdown() }
        guard let topic = try await admin.listTopics(timeout: .seconds(30)).first(where: { $0.name == topics.jobs.name }) else {
            return GroupCommits(group: group)
        }
        let partitions = topic.partitions.map { TopicPartition(topic: topic.name, partition: $0) }
        do {
            let committed = try await admin.committedOffsets(group: group, partitions: partitions, timeout: .seconds(30))
            return GroupCommits(group: group, offsets: committed.reduce(into: [:]) { offsets, entry in
                if let offset = entry.value { offsets[entry.key.partition] = offset }
            })
        } catch {
            return GroupCommits(group: group, failure: "\(error)")
        }
    }

    /// Where the job of `history` (``history(of:)``) stands, by the same rule as
    /// ``inFlight(now:commits:)``; `.finished` when the jobs topic has no envelope of it.
    public func state(of history: [JobHistoryEntry], commits: GroupCommits) -> JobState {
        let envelopes = history.filter { $0.topic == topics.jobs.name && $0.kind != .outcome && $0.kind != .deadLetter }
        guard let newest = envelopes.max(by: { Self.isOlder($0.position, than: $1.position) }) else { return .finished }
        let outcomes = history.filter { $0.kind == .outcome }.map {
            InFlightRule.OutcomeMark(source: $0.source.flatMap(RecordPosition.init), timestamp: $0.timestamp)
        }
        return InFlightRule(jobsTopic: topics.jobs.name).state(
            newest: newest.position, outcomeAwaitsNotifications: newest.stage == .notify && newest.outcomeRecorded == true,
            outcomes: outcomes, committed: commits.offsets[newest.partition])
    }

    /// A notify retry: the outcome is recorded and notifications are still to go out.
    private static func awaitsNotifications(_ job: JobEnvelope) -> Bool {
        job.stage == .notify && job.result?.outcomeRecorded == true
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
            replays: header(JobHeaders.replays).flatMap { Int($0) }, replayedFrom: header(JobHeaders.replayedFrom),
            source: header(JobHeaders.source) ?? header(JobHeaders.deadLetterSource))
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
        entry.outcomeRecorded = job.result?.outcomeRecorded
        return entry
    }

    /// Order of two messages of one job: offsets within a partition, else timestamps.
    private static func isOlder(_ message: KafkaMessage, than other: KafkaMessage) -> Bool {
        isOlder(InFlightRule.Position(message), than: InFlightRule.Position(other))
    }

    private static func isOlder(_ record: InFlightRule.Position, than other: InFlightRule.Position) -> Bool {
        if record.partition == other.partition { return record.offset < other.offset }
        return (record.timestamp ?? .distantPast) < (other.timestamp ?? .distantPast)
    }
}
