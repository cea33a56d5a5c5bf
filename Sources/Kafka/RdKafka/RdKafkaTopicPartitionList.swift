internal import CRdKafka

/// Owns an `rd_kafka_topic_partition_list_t` for the duration of one call.
///
/// The C list is freed in `deinit`, and Swift may end an object's lifetime right after its
/// last use — so the pointer is only handed out inside `withPointer`, which keeps the
/// wrapper alive until the C call has returned.
final class RdKafkaTopicPartitionList {
    private let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int = 1) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: max(1, capacity)))
    }

    convenience init(_ partitions: some Collection<TopicPartition>) {
        self.init(capacity: partitions.count)
        for tp in partitions { add(tp) }
    }

    convenience init(offsets: [TopicPartition: Int64]) {
        self.init(capacity: offsets.count)
        for (tp, offset) in offsets.sorted(by: { $0.key < $1.key }) { add(tp, offset: offset) }
    }

    /// Topics to subscribe to.
    convenience init(topics: [String]) {
        self.init(capacity: topics.count)
        for topic in topics { rd_kafka_topic_partition_list_add(pointer, topic, baton_rd_kafka_partition_ua()) }
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    func withPointer<R>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    func add(_ tp: TopicPartition, offset: Int64? = nil) {
        let element = rd_kafka_topic_partition_list_add(pointer, tp.topic, tp.partition)!
        if let offset { element.pointee.offset = offset }
    }

    var entries: [Entry] { withPointer { RdKafkaTopicPartitionList.entries(of: $0) } }

    struct Entry {
        var topicPartition: TopicPartition
        var offset: Int64
        var err: rd_kafka_resp_err_t
    }

    /// Reads a list librdkafka owns (e.g. the one passed to the rebalance callback).
    static func entries(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [Entry] {
        guard let list, let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { i in
            let e = elements[i]
            return Entry(
                topicPartition: TopicPartition(topic: String(cString: e.topic), partition: e.partition),
                offset: e.offset,
                err: e.err
            )
        }
    }

    static func partitions(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        entries(of: list).map(\.topicPartition)
    }
}
