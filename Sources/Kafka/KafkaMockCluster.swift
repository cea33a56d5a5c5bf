import Foundation

/// librdkafka's in-process mock cluster (`rdkafka_mock.h`): real Kafka protocol
/// listeners on loopback, inside this process, whose requests can be made to fail with
/// chosen errors. For tests that need a broker fault on demand and deterministically
/// (a fatal produce error, say), which a real broker cannot be made to produce.
///
/// Point any client at ``bootstrapServers``. The cluster lives as long as this object
/// (there is no shutdown call). Not for production use.
public final class KafkaMockCluster: Sendable {
    private let cluster: RdKafkaMockCluster
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
        cluster = try RdKafkaMockCluster(brokers: brokers)
        bootstrapServers = cluster.bootstrapServers
    }

    /// Creates a topic (the mock cluster also auto-creates topics on first use, with
    /// librdkafka's defaults).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        try cluster.createTopic(name, partitions: partitions, replicationFactor: replicationFactor)
    }

    /// The next `count` requests of `kind` (from any client) fail with the Kafka error
    /// `code` (a broker error code, e.g. 90 `PRODUCER_FENCED`, 45 `OUT_OF_ORDER_SEQUENCE_NUMBER`).
    public func failRequests(_ kind: RequestKind, with code: Int32, count: Int) {
        cluster.failRequests(apiKey: kind.rawValue, with: code, count: count)
    }

    /// Forgets every error still queued for `kind`.
    public func clearFailures(_ kind: RequestKind) {
        cluster.clearFailures(apiKey: kind.rawValue)
    }
}
