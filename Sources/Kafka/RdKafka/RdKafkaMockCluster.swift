internal import CRdKafka

/// librdkafka's mock cluster and the handle that owns it (`rdkafka_mock.h`), for
/// `KafkaMockCluster`. Destroyed with this object.
final class RdKafkaMockCluster: @unchecked Sendable {
    // @unchecked: both pointers are immutable after init; librdkafka's mock API is
    // thread-safe (its calls go through the cluster's own thread).
    private let owner: OpaquePointer
    private let cluster: OpaquePointer
    /// `host:port,…` of the mock brokers.
    let bootstrapServers: String

    /// Starts `brokers` mock brokers.
    /// - Throws: `KafkaError` if librdkafka cannot create the owning handle or cluster.
    init(brokers: Int) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        let conf = rd_kafka_conf_new()
        _ = rd_kafka_conf_set(conf, "log_level", "3", &errstr, errstr.count)
        guard let owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, message: "mock cluster owner: " + String(cString: errstr))
        }
        guard let cluster = rd_kafka_mock_cluster_new(owner, Int32(brokers)) else {
            rd_kafka_destroy(owner)
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, message: "rd_kafka_mock_cluster_new failed")
        }
        self.owner = owner
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(owner)
    }

    /// Creates a topic.
    func createTopic(_ name: String, partitions: Int, replicationFactor: Int) throws(KafkaError) {
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        if err.isError { throw KafkaError(err, context: "create mock topic \(name)") }
    }

    /// The next `count` requests with API key `apiKey` fail with the Kafka error `code`.
    func failRequests(apiKey: Int16, with code: Int32, count: Int) {
        let errors = [rd_kafka_resp_err_t](repeating: rd_kafka_resp_err_t(rawValue: code), count: count)
        errors.withUnsafeBufferPointer { rd_kafka_mock_push_request_errors_array(cluster, apiKey, count, $0.baseAddress) }
    }

    /// Forgets every error still queued for API key `apiKey`.
    func clearFailures(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }
}
