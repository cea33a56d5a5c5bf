import Foundation
import Logging
internal import CRdKafka

/// Cluster administration and offset look-ups. Every call blocks inside librdkafka, so
/// each runs on the client's own serial queue and resumes the caller when done.
///
/// Broker offset look-ups are hints (see PLATFORM-NOTES: Tansu answers `ListOffsets`
/// approximately): decide by the records themselves.
public final class KafkaAdmin: Sendable {
    private let client: RdKafkaClient
    private let logger: Logger

    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        self.logger = logger
        // No poll thread: admin results arrive on per-call queues, and with no error
        // callback librdkafka logs client errors through the log callback.
        self.client = try RdKafkaClient(
            kind: .producer, configuration: configuration.properties,
            context: RdKafkaContext(logger: logger), serveErrors: false)
    }

    deinit {
        client.destroy {}
    }

    /// Destroys the client (in the background, after calls already running). Idempotent;
    /// later calls throw `_DESTROY`.
    public func shutdown() {
        client.destroy {}
    }

    /// Creates topics; a topic that exists already counts as success (`.alreadyExists`).
    public func createTopics(_ topics: [NewTopic], timeout: Duration) async throws -> [TopicCreation] {
        guard !topics.isEmpty else { return [] }
        return try await client.blocking("admin client") { handle throws(KafkaError) in
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
            let event = try AdminCall(handle: handle, operation: RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout, operationTimeout: true) {
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
    }

    /// The cluster's topics (internal ones such as `__consumer_offsets` left out), by name.
    public func listTopics(timeout: Duration) async throws -> [TopicDescription] {
        try await client.blocking("admin client") { handle throws(KafkaError) in
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
    }

    /// The low and high watermark of a partition, asked of the partition leader. `high` is
    /// the offset the next message will get (on Tansu: an approximation).
    public func watermarks(_ partition: TopicPartition, timeout: Duration) async throws -> (low: Int64, high: Int64) {
        let (low, high) = try await client.blocking("admin client") { handle throws(KafkaError) -> (Int64, Int64) in
            var low: Int64 = -1
            var high: Int64 = -1
            let err = rd_kafka_query_watermark_offsets(
                handle, partition.topic, partition.partition, &low, &high, timeout.milliseconds)
            if err.isError { throw KafkaError(err, context: "watermarks of \(partition)") }
            return (low, high)
        }
        return (low, high)
    }

    /// For each partition, the earliest offset whose timestamp is at or after the given
    /// time, or nil if there is none (the time is after the last message). A hint: filter
    /// records by their own timestamps.
    public func offsetsForTimes(_ times: [TopicPartition: Date], timeout: Duration) async throws -> [TopicPartition: Int64?] {
        guard !times.isEmpty else { return [:] }
        return try await client.blocking("admin client") { handle throws(KafkaError) in
            let list = RdKafkaTopicPartitionList(
                offsets: times.mapValues { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) })
            let err = list.withPointer { rd_kafka_offsets_for_times(handle, $0, timeout.milliseconds) }
            if err.isError { throw KafkaError(err, context: "offsets for times") }
            var offsets: [TopicPartition: Int64?] = [:]
            for entry in list.entries {
                if entry.err.isError { throw KafkaError(entry.err, context: "offset for time in \(entry.topicPartition)") }
                offsets[entry.topicPartition] = entry.offset >= 0 ? entry.offset : Int64?.none
            }
            return offsets
        }
    }

    /// The offsets `group` has committed for `partitions` (nil: nothing committed). The
    /// partitions must be named: listing all of a group's partitions does not work with
    /// librdkafka 2.0.2 against Tansu.
    public func committedOffsets(
        group: String,
        partitions: [TopicPartition],
        timeout: Duration
    ) async throws -> [TopicPartition: Int64?] {
        guard !partitions.isEmpty else { return [:] }
        return try await client.blocking("admin client") { handle throws(KafkaError) in
            let list = RdKafkaTopicPartitionList(partitions)
            guard let request = list.withPointer({ rd_kafka_ListConsumerGroupOffsets_new(group, $0) }) else {
                throw KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, context: "list offsets of group \(group)")
            }
            defer { rd_kafka_ListConsumerGroupOffsets_destroy(request) }
            var requests: [OpaquePointer?] = [request]
            let event = try AdminCall(
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
}

/// One admin request: options with timeouts, a private result queue, and a bounded wait
/// for the result event (which the caller destroys).
private struct AdminCall {
    let handle: OpaquePointer
    let operation: rd_kafka_admin_op_t
    let timeout: Duration
    let operationTimeout: Bool
    let start: (OpaquePointer?, OpaquePointer?) -> Void

    init(
        handle: OpaquePointer,
        operation: rd_kafka_admin_op_t,
        timeout: Duration,
        operationTimeout: Bool,
        start: @escaping (OpaquePointer?, OpaquePointer?) -> Void
    ) {
        self.handle = handle
        self.operation = operation
        self.timeout = timeout
        self.operationTimeout = operationTimeout
        self.start = start
    }

    func run() throws(KafkaError) -> OpaquePointer {
        let options = rd_kafka_AdminOptions_new(handle, operation)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errstr = [CChar](repeating: 0, count: 512)
        let ms = max(1, timeout.milliseconds)
        var err = rd_kafka_AdminOptions_set_request_timeout(options, ms, &errstr, errstr.count)
        if err.isError { throw KafkaError(err, message: String(cStringBuffer: errstr)) }
        if operationTimeout {
            err = rd_kafka_AdminOptions_set_operation_timeout(options, ms, &errstr, errstr.count)
            if err.isError { throw KafkaError(err, message: String(cStringBuffer: errstr)) }
        }
        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        start(options, queue)
        // librdkafka enforces the request timeout itself; wait a little longer for its answer.
        guard let event = rd_kafka_queue_poll(queue, ms &+ 5000) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, context: "admin request")
        }
        let eventErr = rd_kafka_event_error(event)
        if eventErr.isError {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) }
            rd_kafka_event_destroy(event)
            throw KafkaError(eventErr, message: text)
        }
        return event
    }
}
