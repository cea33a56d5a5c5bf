import Kafka

/// Per partition, the last offset below which every record is handled: copies count once
/// acknowledged, records not selected count at once. Records are added in offset order.
struct ReplayAcknowledgements: Sendable {
    private struct Partition: Sendable {
        /// Offsets added and not yet behind the position, oldest first, with whether done.
        var pending: [(offset: Int64, done: Bool)] = []
        var head = 0
        var position: Int64?

        mutating func skip(_ offset: Int64) {
            if head == pending.count {
                position = offset
            } else {
                pending.append((offset, true))
            }
        }

        mutating func acknowledge(_ offset: Int64) {
            // Acknowledgements come in offset order within a partition: usually the head.
            if head < pending.count, pending[head].offset == offset {
                pending[head].done = true
            } else if let index = pending[head...].firstIndex(where: { $0.offset == offset }) {
                pending[index].done = true
            }
            while head < pending.count, pending[head].done {
                position = pending[head].offset
                head += 1
            }
            if head > 1024, head * 2 > pending.count {
                pending.removeFirst(head)
                head = 0
            }
        }
    }

    /// The source topic: every partition here is one of its partitions (keyed by number, so
    /// that a record's bookkeeping hashes an integer rather than the topic's name).
    let topic: String
    private var partitions: [Int32: Partition] = [:]

    /// - Parameter resume: positions of `topic`'s partitions (``ReplayPlan/validate()``
    ///   refuses others).
    init(topic: String, resume: ReplayPositions) {
        self.topic = topic
        for (partition, offset) in resume.offsets where partition.topic == topic {
            partitions[partition.partition] = Partition(position: offset)
        }
    }

    /// A record that needs no copy (not selected, refused): handled now.
    ///
    /// Each partition is changed in place (`partitions[…, default:]`), never copied out and
    /// back: a copy shares the pending list's storage, so the first change copied the whole
    /// list, up to the replay's window of copies in flight, for every record (issue 10).
    mutating func skipped(_ partition: Int32, offset: Int64) {
        partitions[partition, default: Partition()].skip(offset)
    }

    /// A copy handed to the producer.
    mutating func started(_ partition: Int32, offset: Int64) {
        partitions[partition, default: Partition()].pending.append((offset, false))
    }

    /// The copy of `offset` was acknowledged.
    mutating func acknowledged(_ partition: Int32, offset: Int64) {
        partitions[partition]?.acknowledge(offset)
    }

    // A copy that failed is never acknowledged: it stays pending, so the position never
    // passes it.

    var positions: ReplayPositions {
        var offsets: [TopicPartition: Int64] = [:]
        for (partition, state) in partitions {
            if let position = state.position { offsets[TopicPartition(topic: topic, partition: partition)] = position }
        }
        return ReplayPositions(offsets)
    }
}
