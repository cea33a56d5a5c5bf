import Kafka

/// Where a replay got to: per partition of the source topic, the last offset that was
/// handled (copied and acknowledged, or looked at and not selected). Every offset at or
/// below it is done; a resumed run starts one past it.
///
/// Text form, as printed on interruption and accepted by `--resume`:
/// `baton.jobs.dlq/0:123,baton.jobs.dlq/1:77` (`topic/partition:offset`, comma-separated).
public struct ReplayPositions: Sendable, Hashable, CustomStringConvertible {
    /// Last handled offset per partition.
    public var offsets: [TopicPartition: Int64]

    public init(_ offsets: [TopicPartition: Int64] = [:]) {
        self.offsets = offsets
    }

    /// Parses the text form.
    /// - Throws: ``ReplayError/invalidResume(_:)`` naming the entry that is not `topic/partition:offset`.
    public init(parsing text: String) throws {
        var offsets: [TopicPartition: Int64] = [:]
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let colon = entry.lastIndex(of: ":"), let slash = entry[..<colon].lastIndex(of: "/"),
                slash != entry.startIndex,
                let partition = Int32(entry[entry.index(after: slash)..<colon]), partition >= 0,
                let offset = Int64(entry[entry.index(after: colon)...]), offset >= -1
            else {
                throw ReplayError.invalidResume("expected topic/partition:offset, got \"\(entry)\"")
            }
            offsets[TopicPartition(topic: String(entry[..<slash]), partition: partition)] = offset
        }
        self.offsets = offsets
    }

    /// The text form, partitions in order.
    public var description: String {
        offsets.sorted { $0.key < $1.key }.map { "\($0.key.topic)/\($0.key.partition):\($0.value)" }.joined(separator: ",")
    }

    public var isEmpty: Bool { offsets.isEmpty }
}
