import Foundation
import Kafka

/// What a ``TopicOutcomeLedger`` has read of the outcome and dead-letter topics, and
/// where its next read starts: the decisions, without a broker.
///
/// It keeps only records that name the message whose run produced them (header
/// ``JobHeaders/source`` on outcomes, ``JobHeaders/deadLetterSource`` on dead letters),
/// keyed by that message's topic/partition/offset: a message run twice asks for its
/// own position, so a replayed job (a new message) or a poison record carrying a job's
/// key (another message) never matches.
///
/// Completeness: the entries hold every such record written (record timestamp, the
/// producing worker's clock) at or after ``floor``. A question about a message written
/// at `t` needs records from `t − skew` on, since its records were produced after it
/// was written, on a clock that may lag by up to `skew`.
struct OutcomeLedgerState: Sendable {
    /// One record that names its source message.
    struct Key: Hashable, Sendable {
        /// The topic the record is on (outcomes or dead letters).
        var topic: String
        /// topic/partition/offset of the message whose run produced the record.
        var source: String
    }

    /// Allowance for clocks of different workers, in seconds.
    let skew: TimeInterval
    /// Records older than this (seconds before the newest read) are forgotten.
    let window: TimeInterval
    /// Entries are complete for records written at or after this instant; nil before the
    /// first read.
    private(set) var floor: Date?
    /// The next offset to read, per partition of the topics read.
    private(set) var positions: [TopicPartition: Int64] = [:]
    /// Per partition, an offset every record below which has been read: the latest
    /// end-of-partition offset the reader reported (the end a fetch saw, not a watermark
    /// look-up).
    private(set) var readEnds: [TopicPartition: Int64] = [:]
    private var entries: [Key: Date] = [:]

    init(skew: TimeInterval, window: TimeInterval) {
        self.skew = skew
        self.window = window
    }

    /// Entries held now (for tests and the memory bound).
    var count: Int { entries.count }

    /// The earliest write time records must be complete from to answer about a message
    /// written at `writtenAt` (unknown: from the beginning).
    func needed(forMessageWrittenAt writtenAt: Date?) -> Date {
        writtenAt.map { $0.addingTimeInterval(-skew) } ?? .distantPast
    }

    /// True when the entries cannot answer for records from `needed` on: the next read
    /// must start over from a time look-up instead of resuming at ``positions``.
    func mustRestart(from needed: Date) -> Bool {
        guard let floor else { return true }
        return needed < floor
    }

    /// A read starts over at `positions` (found by a time look-up for `floor`): what was
    /// held is dropped. A nil floor (a topic did not exist yet) makes the next question
    /// start over again.
    mutating func restarted(floor: Date?, positions: [TopicPartition: Int64]) {
        self.floor = floor
        self.positions = positions
        readEnds = [:]
        entries = [:]
    }

    /// A record was read: its position moves on; it is kept if it names its source and
    /// is not older than the floor.
    mutating func read(topic: String, partition: Int32, offset: Int64, source: String?, timestamp: Date?) {
        let partition = TopicPartition(topic: topic, partition: partition)
        positions[partition] = max(positions[partition] ?? 0, offset + 1)
        guard let source else { return }
        let at = timestamp ?? .distantFuture
        if let floor, at < floor { return }
        entries[Key(topic: topic, source: source)] = at
    }

    /// The reader reported the end of `partition` at `offset`: every record before it has
    /// been read (``read(topic:partition:offset:source:timestamp:)`` came first).
    mutating func reachedEnd(_ partition: TopicPartition, at offset: Int64) {
        positions[partition] = max(positions[partition] ?? 0, offset)
        readEnds[partition] = max(readEnds[partition] ?? 0, offset)
    }

    /// Whether every record below `ends` (per partition, offsets a broker gave after the
    /// question was asked) has been read, judged by reported ends, not by positions.
    ///
    /// Why ends and not positions: Tansu's latest offset is the base offset of its last
    /// batch plus one (PLATFORM-NOTES), so a position past it may still lie inside that
    /// batch. A reported end is at a batch boundary: an end at or past a batch's base
    /// plus one is past the whole batch, and a batch appended after an end starts at or
    /// after it, so its look-up answers more than that end. On Apache Kafka the look-up
    /// is the high watermark, which covers every acknowledged record. A partition whose
    /// look-up answers 0 holds nothing to read.
    func hasRead(to ends: [TopicPartition: Int64]) -> Bool {
        ends.allSatisfy { partition, end in end <= (readEnds[partition] ?? 0) }
    }

    /// After a read to the end at `now`: records older than the window are forgotten and
    /// the floor rises with them, so memory stays bounded by the window's traffic.
    mutating func readToEnd(now: Date) {
        let cut = now.addingTimeInterval(-window)
        guard let floor, floor < cut else { return }
        self.floor = cut
        entries = entries.filter { $0.value >= cut }
    }

    /// Whether a record on `topic` names `source` (a message's topic/partition/offset).
    func contains(topic: String, source: String) -> Bool {
        entries[Key(topic: topic, source: source)] != nil
    }
}
