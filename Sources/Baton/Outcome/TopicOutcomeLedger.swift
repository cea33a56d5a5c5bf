import Foundation
import Kafka
import Logging

/// The worker's ``OutcomeLedger``: one shared, incremental read of the outcome and
/// dead-letter topics (all partitions, outside any consumer group).
///
/// The first question (or one about a message older than what is held) starts from a
/// time look-up for the message's write time minus a clock-skew allowance — a hint only
/// (Tansu answers 0: from the beginning) — and reads to each partition's end (the EOF
/// event, not a watermark). Later questions read on from where the last read stopped.
/// Questions asked while a read runs share the next one, so many redelivered messages
/// after a restart cost a few reads, not one each. Records older than
/// ``OutcomeLedgerState/window`` are forgotten: memory is bounded by that window's
/// traffic (one small entry per outcome or dead letter).
actor TopicOutcomeLedger: OutcomeLedger {
    private let clientProperties: [String: String]
    private let topics: [String]
    /// Limit for one read (look-ups included).
    private let timeout: Duration
    private let logger: Logger
    private var state: OutcomeLedgerState
    /// Questions asked so far, and how many of them the last successful read answers.
    private var asked = 0
    private var answered = 0
    /// The read under way and the questions it answers (those asked before it started).
    private var reading: Task<Void, any Error>?
    private var readingCovers = 0
    /// The earliest write time a question asked since the current read started needs.
    private var needed = Date.distantFuture

    /// - Parameters:
    ///   - clientProperties: librdkafka properties (bootstrap servers, security…).
    ///   - topics: the outcomes and dead-letter topics.
    ///   - skew: allowance for workers' clocks (a record's timestamp is its producer's).
    ///   - window: how long read records are kept.
    ///   - timeout: the limit for one read.
    init(
        clientProperties: [String: String], topics: [String], skew: Duration = .seconds(300), window: Duration = .seconds(1800),
        timeout: Duration = .seconds(30), logger: Logger
    ) {
        self.clientProperties = clientProperties
        self.topics = topics
        self.timeout = timeout
        self.logger = logger
        self.state = OutcomeLedgerState(skew: skew.seconds, window: window.seconds)
    }

    func hasRecord(on topic: String, from source: String, messageWrittenAt: Date?) async throws -> Bool {
        asked += 1
        let ticket = asked
        needed = min(needed, state.needed(forMessageWrittenAt: messageWrittenAt))
        while answered < ticket {
            if let reading {
                let covers = readingCovers
                if case .failure(let error) = await reading.result, covers >= ticket { throw error }
            } else {
                readingCovers = asked
                let from = needed
                needed = .distantFuture
                reading = Task { try await self.read(from: from) }
            }
        }
        return state.contains(topic: topic, source: source)
    }

    /// One read to the end of every partition, starting over from a time look-up when the
    /// entries do not reach back to `from`.
    private func read(from: Date) async throws {
        let covers = readingCovers
        defer { reading = nil }
        let started = ContinuousClock.now
        do {
            let restart = state.mustRestart(from: from)
            if restart {
                let (floor, positions) = try await Self.lookUp(from: from, topics: topics, clientProperties: clientProperties, timeout: timeout, logger: logger)
                state.restarted(floor: floor, positions: positions)
            }
            let found = try await Self.readToEnd(state.positions, clientProperties: clientProperties, timeout: timeout, logger: logger)
            for record in found {
                state.read(topic: record.topic, partition: record.partition, offset: record.offset, source: record.source, timestamp: record.timestamp)
            }
            state.readToEnd(now: Date())
            // One line per read (not per question): reads happen after rebalances only.
            logger.info("looked for earlier runs' outcomes and dead letters", metadata: [
                "questions": "\(covers - answered)", "records": "\(found.count)", "held": "\(state.count)",
                "startedOver": "\(restart)", "seconds": "\((ContinuousClock.now - started).seconds)",
            ])
            answered = covers
        } catch {
            // The questions it was to answer fail; later ones need what they asked for.
            needed = min(needed, from)
            throw error
        }
    }

    /// What one read found: every record's position, and the source it names, if any.
    private struct Found: Sendable {
        var topic: String
        var partition: Int32
        var offset: Int64
        var source: String?
        var timestamp: Date?
    }

    /// Where each partition of `topics` starts for records written at or after `from`: the
    /// broker's time look-up (a hint), or its high watermark when it has none that late
    /// (Tansu's is low, if anything: never past a record). The floor is nil when a topic
    /// does not exist yet, so the next question looks again.
    private static func lookUp(
        from: Date, topics: [String], clientProperties: [String: String], timeout: Duration, logger: Logger
    ) async throws -> (Date?, [TopicPartition: Int64]) {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(clientProperties), logger: logger)
        defer { admin.shutdown() }
        let described = try await admin.listTopics(timeout: timeout).filter { topics.contains($0.name) }
        let partitions = described.flatMap { topic in topic.partitions.map { TopicPartition(topic: topic.name, partition: $0) } }
        let at = max(from, Date(timeIntervalSince1970: 0))
        let offsets = try await admin.offsetsForTimes(Dictionary(uniqueKeysWithValues: partitions.map { ($0, at) }), timeout: timeout)
        var positions: [TopicPartition: Int64] = [:]
        for partition in partitions {
            if let offset = offsets[partition] ?? nil {
                positions[partition] = offset
            } else {
                positions[partition] = try await admin.watermarks(partition, timeout: timeout).high
            }
        }
        let complete = Set(described.map(\.name)) == Set(topics)
        return (complete ? from : nil, positions)
    }

    private static func readToEnd(
        _ positions: [TopicPartition: Int64], clientProperties: [String: String], timeout: Duration, logger: Logger
    ) async throws -> [Found] {
        guard !positions.isEmpty else { return [] }
        let scan = try TopicScan(clientProperties: clientProperties, starts: positions.mapValues { .offset($0) }, logger: logger)
        scan.limit(to: timeout)
        var found: [Found] = []
        do {
            while let message = try await scan.next() {
                let header = message.header(JobHeaders.source) ?? message.header(JobHeaders.deadLetterSource)
                found.append(Found(
                    topic: message.topic, partition: message.partition, offset: message.offset,
                    source: header.map { String(decoding: $0, as: UTF8.self) }, timestamp: message.timestamp))
            }
        } catch {
            _ = await scan.close()
            throw error
        }
        if await scan.close() { throw JobsError.timedOut("reading \(Set(positions.keys.map(\.topic)).sorted().joined(separator: ", ")) to the end took longer than \(ConfigDuration.format(timeout))") }
        return found
    }
}
