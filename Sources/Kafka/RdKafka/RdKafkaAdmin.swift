import Foundation
internal import CRdKafka

/// The librdkafka side of `KafkaAdmin`: each call blocks in librdkafka, so `KafkaAdmin`
/// runs it on the client's serial queue and passes the handle in.
enum RdKafkaAdmin {
    /// Creates topics; one that exists already counts as `.alreadyExists`.
    static func createTopics(_ handle: OpaquePointer, _ topics: [NewTopic], timeout: Duration) throws(KafkaError) -> [TopicCreation] {
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for topic in topics {
            guard
                let newTopic = rd_kafka_NewTopic_new(
                    topic.name, Int32(clamping: topic.partitions), Int32(clamping: topic.replicationFactor),
                    &errstr, errstr.count)
            else {
                throw KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, message: String(cStringBuffer: errstr), context: "topic \(topic.name)")
            }
            newTopics.append(newTopic)
            for (key, value) in topic.config.sorted(by: { $0.key < $1.key }) {
                let err = rd_kafka_NewTopic_set_config(newTopic, key, value)
                if err.isError { throw KafkaError(err, context: "topic \(topic.name) config \(key)", property: key) }
            }
        }
        let event = try RdKafkaAdminCall(handle: handle, operation: RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout, operationTimeout: true) {
            options, queue in rd_kafka_CreateTopics(handle, &newTopics, newTopics.count, options, queue)
        }.run()
        defer { rd_kafka_event_destroy(event) }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event),
            let results = rd_kafka_CreateTopics_result_topics(result, &count)
        else {
            throw KafkaError(RD_KAFKA_RESP_ERR__BAD_MSG, message: "no CreateTopics result")
        }
        var creations: [TopicCreation] = []
        for i in 0..<count {
            let name = String(cString: rd_kafka_topic_result_name(results[i]))
            let err = rd_kafka_topic_result_error(results[i])
            switch err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                creations.append(TopicCreation(name: name, outcome: .created))
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
                creations.append(TopicCreation(name: name, outcome: .alreadyExists))
            default:
                let text = rd_kafka_topic_result_error_string(results[i]).map { String(cString: $0) }
                throw KafkaError(err, message: text, context: "create topic \(name)")
            }
        }
        return creations
    }

    /// The cluster's topics without internal ones (`__…`), by name.
    static func listTopics(_ handle: OpaquePointer, timeout: Duration) throws(KafkaError) -> [TopicDescription] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 1, nil, &metadata, timeout.milliseconds)
        if err.isError { throw KafkaError(err, context: "list topics") }
        guard let metadata else { return [] }
        defer { rd_kafka_metadata_destroy(metadata) }
        var topics: [TopicDescription] = []
        for i in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[i]
            let name = String(cString: topic.topic)
            guard !name.hasPrefix("__"), !topic.err.isError else { continue }
            let partitions = (0..<Int(topic.partition_cnt)).map { topic.partitions[$0].id }.sorted()
            topics.append(TopicDescription(name: name, partitions: partitions))
        }
        return topics.sorted { $0.name < $1.name }
    }

    /// The low and high watermark of `partition`, asked of its leader.
    static func watermarks(_ handle: OpaquePointer, _ partition: TopicPartition, timeout: Duration) throws(KafkaError) -> (Int64, Int64) {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = rd_kafka_query_watermark_offsets(
            handle, partition.topic, partition.partition, &low, &high, timeout.milliseconds)
        if err.isError { throw KafkaError(err, context: "watermarks of \(partition)") }
        return (low, high)
    }

    /// Per partition, the offset the next record will get: one ListOffsets request per
    /// leader for all of `partitions` (timestamp `-1`, "latest"), where
    /// `rd_kafka_query_watermark_offsets` asks two per partition, one partition at a time.
    static func latestOffsets(_ handle: OpaquePointer, _ partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartition: Int64] {
        try listOffsets(
            handle, Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(RD_KAFKA_OFFSET_END)) }), timeout: timeout, context: "latest offset"
        ).mapValues { max(0, $0) }
    }

    /// Per partition, the earliest offset at or after the time (milliseconds), or nil.
    static func offsetsForTimes(_ handle: OpaquePointer, _ times: [TopicPartition: Date], timeout: Duration) throws(KafkaError) -> [TopicPartition: Int64?] {
        try listOffsets(
            handle, times.mapValues { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) }, timeout: timeout, context: "offset for time"
        ).mapValues { $0 >= 0 ? $0 : Int64?.none }
    }

    /// `rd_kafka_offsets_for_times` (ListOffsets) for each partition's timestamp in
    /// milliseconds, or a special one (`RD_KAFKA_OFFSET_END`: latest): the offsets as the
    /// broker answered them, negative when it has none.
    private static func listOffsets(
        _ handle: OpaquePointer, _ timestamps: [TopicPartition: Int64], timeout: Duration, context: String
    ) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = RdKafkaTopicPartitionList(offsets: timestamps)
        let err = list.withPointer { rd_kafka_offsets_for_times(handle, $0, timeout.milliseconds) }
        if err.isError { throw KafkaError(err, context: context) }
        var offsets: [TopicPartition: Int64] = [:]
        for entry in list.entries {
            if entry.err.isError { throw KafkaError(entry.err, context: "\(context) of \(entry.topicPartition)") }
            offsets[entry.topicPartition] = entry.offset
        }
        return offsets
    }

    /// The offsets `group` committed for `partitions` (nil: none).
    static func committedOffsets(_ handle: OpaquePointer, group: String, partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartition: Int64?] {
        let list = RdKafkaTopicPartitionList(partitions)
        guard let request = list.withPointer({ rd_kafka_ListConsumerGroupOffsets_new(group, $0) }) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, context: "list offsets of group \(group)")
        }
        defer { rd_kafka_ListConsumerGroupOffsets_destroy(request) }
        var requests: [OpaquePointer?] = [request]
        let event = try RdKafkaAdminCall(
            handle: handle, operation: RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout: timeout, operationTimeout: false
        ) { options, queue in
            rd_kafka_ListConsumerGroupOffsets(handle, &requests, 1, options, queue)
        }.run()
        defer { rd_kafka_event_destroy(event) }
        var count = 0
        guard let result = rd_kafka_event_ListConsumerGroupOffsets_result(event),
            let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(result, &count), count == 1,
            let groupResult = groups[0]
        else {
            throw KafkaError(RD_KAFKA_RESP_ERR__BAD_MSG, message: "no ListConsumerGroupOffsets result")
        }
        if let error = rd_kafka_group_result_error(groupResult) {
            let code = rd_kafka_error_code(error)
            throw KafkaError(code, message: String(cString: rd_kafka_error_string(error)), context: "committed offsets of group \(group)")
        }
        var offsets: [TopicPartition: Int64?] = [:]
        for entry in RdKafkaTopicPartitionList.entries(of: rd_kafka_group_result_partitions(groupResult)) {
            if entry.err.isError { throw KafkaError(entry.err, context: "committed offset of \(entry.topicPartition)") }
            offsets[entry.topicPartition] = entry.offset >= 0 ? entry.offset : Int64?.none
        }
        for tp in partitions where offsets[tp] == nil { offsets[tp] = Int64?.none }
        return offsets
    }
}
