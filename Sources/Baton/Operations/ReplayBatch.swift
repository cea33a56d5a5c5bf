import Kafka

/// What a replay has read since it last handed copies to the producer: the copies, and every
/// record's bookkeeping in reading order (copy or not), applied together under one lock when
/// the batch goes out (``ReplayWindow/begin(_:)``). Kept in reading order because a
/// partition's position may only pass a record once everything before it is handled.
struct ReplayBatch {
    /// Per record read, in reading order: its source partition and offset, and whether it is
    /// copied (false: handled at once — not selected, refused, or a dry run).
    private(set) var marks: [(partition: Int32, offset: Int64, copy: Bool)] = []
    /// The copies, in reading order.
    private(set) var records: [ProducerRecord] = []
    /// Per copy, the record it copies (source partition and offset).
    var sources: [(partition: Int32, offset: Int64)] {
        marks.compactMap { $0.copy ? ($0.partition, $0.offset) : nil }
    }

    var isEmpty: Bool { marks.isEmpty }

    /// A record that needs no copy.
    mutating func skip(_ message: KafkaMessage) {
        marks.append((message.partition, message.offset, false))
    }

    /// A record copied as `record`.
    mutating func copy(_ record: ProducerRecord, of message: KafkaMessage) {
        marks.append((message.partition, message.offset, true))
        records.append(record)
    }
}
