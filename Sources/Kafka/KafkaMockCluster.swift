import Foundation
internal import CRdKafka

/// librdkafka's in-process mock cluster (`rdkafka_mock.h`): real Kafka protocol
/// listeners on loopback, inside this process, whose requests can be made to fail with
/// chosen errors. For tests that need a broker fault on demand and deterministically
/// (a fatal produce error, say), which a real broker cannot be made to produce.
///
/// Point any client at ``bootstrapServers``. The cluster lives until ``shutdown()``
/// (or deinit). Not for production use.
public final class KafkaMockCluster: @unchecked Sendable {
    // @unchecked: both pointers are immutable after init; librdkafka's mock API is
    // thread-safe (its calls go through the cluster's own thread).
    private let owner: OpaquePointer
    private let cluster: OpaquePointer
    /// `host:port,…` of the mock brokers.
    public let bootstrapServers: String

    /// Kafka protocol request kinds (`ApiKey`), for ``failRequests(_:with:count:)``.
    public enum RequestKind: Int16, Sendable {
        case produce = 0
        case fetch = 1
        case offsetCommit = 8
        case heartbeat = 12
        case initProducerId = 22
    }

    /// Starts `brokers` mock brokers.
    /// - Throws: ``KafkaError`` if librdkafka cannot create the owning handle or cluster.
    public init(brokers: Int = 1) throws {
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

    /// Creates a topic (the mock cluster also auto-creates topics on first use, with
    /// librdkafka's defaults).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        if err.isError { throw KafkaError(err, context: "create mock topic \(name)") }
    }

    /// The next `count` requests of `kind` (from any client) fail with the Kafka error
    /// `code` (a broker error code, e.g. 90 `PRODUCER_FENCED`, 45 `OUT_OF_ORDER_SEQUENCE_NUMBER`).
    public func failRequests(_ kind: RequestKind, with code: Int32, count: Int) {
        let errors = [rd_kafka_resp_err_t](repeating: rd_kafka_resp_err_t(rawValue: code), count: count)
        errors.withUnsafeBufferPointer { rd_kafka_mock_push_request_errors_array(cluster, kind.rawValue, count, $0.baseAddress) }
    }

    /// Forgets every error still queued for `kind`.
    public func clearFailures(_ kind: RequestKind) {
        rd_kafka_mock_clear_request_errors(cluster, kind.rawValue)
    }
}
