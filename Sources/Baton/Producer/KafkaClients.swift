import Kafka
import Logging

/// Builds the Kafka clients and the job publisher a command needs from the configuration,
/// so the commands never assemble librdkafka properties themselves (and the executable does
/// not import `Kafka`).
public struct KafkaClients: Sendable {
    /// The settings the clients are built from (`kafka`, `topics`, `routing`, `worker.retries`).
    public let configuration: BatonConfiguration
    /// The logger every client built here logs to.
    public let logger: Logger

    /// Clients for `configuration`, logging to `logger`.
    public init(configuration: BatonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// A producer with `kafka.producerProperties` (`acks=all`, idempotent, unless
    /// configured otherwise); the caller shuts it down.
    /// - Throws: `KafkaError` for a property librdkafka refuses.
    public func producer() throws -> KafkaProducer {
        try KafkaProducer(configuration: KafkaConfiguration(configuration.kafka.producerProperties), logger: logger)
    }

    /// An admin client with `kafka.clientProperties`; the caller shuts it down.
    /// - Throws: `KafkaError` for a property librdkafka refuses.
    public func admin() throws -> KafkaAdmin {
        try KafkaAdmin(configuration: KafkaConfiguration(configuration.kafka.clientProperties), logger: logger)
    }

    /// A publisher of new jobs through `producer`: routed by the configured routes, with
    /// `worker.retries`, its records' `baton-worker` header set to `workerID`.
    /// - Throws: a `ConfigurationError` when the routes cannot be read.
    public func publisher(through producer: KafkaProducer, workerID: String) throws -> JobPublisher {
        JobPublisher(
            factory: JobFactory(routes: try configuration.routeTable(), retries: configuration.worker.retries),
            records: JobRecords(topics: configuration.topics, workerID: workerID),
            sink: producer, logger: logger
        )
    }

    /// Creates the three topics of `topics` that do not exist yet (with their partitions
    /// and `topics.replicationFactor`) and reports each with its partition count.
    /// - Throws: `KafkaError` when the cluster does not answer within `timeout`.
    public func ensureTopics(timeout: Duration) async throws -> [TopicStatus] {
        let admin = try admin()
        defer { admin.shutdown() }
        let wanted = configuration.topics.all.map {
            NewTopic(name: $0.name, partitions: $0.partitions, replicationFactor: configuration.topics.replicationFactor)
        }
        let results = try await admin.createTopics(wanted, timeout: timeout)
        let existing = Dictionary(uniqueKeysWithValues: try await admin.listTopics(timeout: timeout).map { ($0.name, $0.partitionCount) })
        return results.map { TopicStatus(name: $0.name, partitionCount: existing[$0.name], created: $0.outcome == .created) }
    }

    /// The cluster's topics (internal ones left out), by name, with their partition counts.
    /// - Throws: `KafkaError` when the cluster does not answer within `timeout`.
    public func listTopics(timeout: Duration) async throws -> [TopicStatus] {
        let admin = try admin()
        defer { admin.shutdown() }
        return try await admin.listTopics(timeout: timeout).map { TopicStatus(name: $0.name, partitionCount: $0.partitionCount, created: false) }
    }
}
