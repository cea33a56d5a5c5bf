internal import CRdKafka

/// The librdkafka side of `KafkaConsumer`: callbacks, subscribe and assign, commits, the
/// poll and the close.
enum RdKafkaConsumer {
    /// The linked librdkafka's version (`0xMMmmrrxx`).
    static var libraryVersion: Int32 { rd_kafka_version() }

    /// The linked librdkafka's version as text (`2.0.2`).
    static var libraryVersionName: String { String(cString: rd_kafka_version_str()) }

    /// Installs the rebalance callback (`ConsumerContext` receives the events).
    static func installRebalanceCallback(_ conf: OpaquePointer) {
        rd_kafka_conf_set_rebalance_cb(conf, rdKafkaRebalanceCallback)
    }

    /// Serves errors and logs from the consumer queue too, so one poll serves everything.
    static func serveFromConsumerQueue(_ handle: OpaquePointer) {
        _ = rd_kafka_poll_set_consumer(handle)
    }

    /// Joins the group for `topics`; the error if librdkafka refuses.
    static func subscribe(_ handle: OpaquePointer, to topics: [String], context: String) -> KafkaError? {
        let err = RdKafkaTopicPartitionList(topics: topics).withPointer { rd_kafka_subscribe(handle, $0) }
        return err.isError ? KafkaError(err, context: context) : nil
    }

    /// Reads exactly `partitions` from their start offsets; the error if librdkafka refuses.
    static func assign(_ handle: OpaquePointer, _ partitions: [TopicPartition: KafkaStartOffset], context: String) -> KafkaError? {
        let list = RdKafkaTopicPartitionList(offsets: partitions.mapValues(\.rawOffset))
        let err = list.withPointer { rd_kafka_assign(handle, $0) }
        return err.isError ? KafkaError(err, context: context) : nil
    }

    /// Commits `offsets` (next offsets to consume) and waits for the broker.
    static func commit(_ handle: OpaquePointer, _ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        let list = RdKafkaTopicPartitionList(offsets: offsets)
        let err = list.withPointer { rd_kafka_commit(handle, $0, 0) }
        let what = offsets.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }.joined(separator: ", ")
        if err.isError { throw KafkaError(err, context: "commit \(what)") }
        if let failed = list.entries.first(where: { $0.err.isError }) {
            throw KafkaError(failed.err, context: "commit \(failed.topicPartition)@\(failed.offset)")
        }
    }

    /// Waits up to `milliseconds` for one message or event and hands a message to `context`.
    /// Returns whether to poll again at once: a message came and nothing (a pause to
    /// reconcile, a close) asks the poll thread to look up first.
    static func poll(_ handle: OpaquePointer, milliseconds: Int32, into context: ConsumerContext) -> Bool {
        guard let message = rd_kafka_consumer_poll(handle, milliseconds) else { return false }
        defer { rd_kafka_message_destroy(message) }
        return context.consume(message, handle: handle)
    }

    /// Leaves the group (the final revoke is served from in here); the error if it failed.
    static func close(_ handle: OpaquePointer) -> KafkaError? {
        let err = rd_kafka_consumer_close(handle)
        return err.isError ? KafkaError(err) : nil
    }

    /// Lag per partition: the cached high watermark minus the committed offset (or, before
    /// a commit, the fetch position). Partitions not fetched yet are left out.
    static func lag(_ handle: OpaquePointer, _ partitions: Set<TopicPartition>, committed: [TopicPartition: Int64]) -> [TopicPartition: Int64] {
        let positions = RdKafkaTopicPartitionList(partitions)
        _ = positions.withPointer { rd_kafka_position(handle, $0) }
        let position = Dictionary(positions.entries.map { ($0.topicPartition, $0.offset) }) { a, _ in a }
        var lag: [TopicPartition: Int64] = [:]
        for partition in partitions {
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
            guard !err.isError, high >= 0 else { continue }
            guard let base = committed[partition] ?? position[partition].flatMap({ $0 >= 0 ? $0 : nil }) else { continue }
            lag[partition] = max(0, high - base)
        }
        return lag
    }
}
