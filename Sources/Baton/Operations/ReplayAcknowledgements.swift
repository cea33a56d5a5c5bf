import Kafka

/// Per partition, the last offset below which every record is handled: copies count once
/// acknowledged, records not selected count at once. Records are added in offset order.
struct ReplayAcknowledgements: Sendable {
    private struct Partition: Sendable {
        /// Offsets added and not yet behind the position, oldest first, with whether done.
        var pending: [(offset: Int64, done: Bool)] = []
        var head = 0
        var position: Int64?
    }

    private var partitions: [TopicPartition: Partition] = [:]

    init(resume: ReplayPositions) {
        for (partition, offset) in resume.offsets {
            partitions[partition] = Partition(position: offset)
        }
    }

    /// A record that needs no copy (not selected, refused): handled now.
    mutating func skipped(_ partition: TopicPartition, offset: Int64) {
        var state = partitions[partition] ?? Partition()
        if state.head == state.pending.count {
            state.position = offset
        } else {
            state.pending.append((offset, true))
        }
        partitions[partition] = state
    }

    /// A copy handed to the producer.
    mutating func started(_ partition: TopicPartition, offset: Int64) {
        partitions[partition, default: Partition()].pending.append((offset, false))
    }

    /// The copy of `offset` was acknowledged.
    mutating func acknowledged(_ partition: TopicPartition, offset: Int64) {
        guard var state = partitions[partition] else { return }
        if let index = state.pending[state.head...].firstIndex(where: { $0.offset == offset }) {
            state.pending[index].done = true
        }
        advance(&state)
        partitions[partition] = state
    }

    private func advance(_ state: inout Partition) {
        while state.head < state.pending.count, state.pending[state.head].done {
            state.position = state.pending[state.head].offset
            state.head += 1
        }
        if state.head > 1024, state.head * 2 > state.pending.count {
            state.pending.removeFirst(state.head)
            state.head = 0
        }
    }

    // A copy that failed is never acknowledged: it stays pending, so the position never
    // passes it.

    var positions: ReplayPositions {
        ReplayPositions(partitions.compactMapValues(\.position))
    }
}
