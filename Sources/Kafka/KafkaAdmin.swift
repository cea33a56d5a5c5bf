import Foundation
import Logging

/// Cluster administration and offset look-ups. Every call blocks inside librdkafka, so
/// each runs on the client's own serial queue and resumes the caller when done.
///
/// Broker offset look-ups are hints (see PLATFORM-NOTES: Tansu answers `ListOffsets`
/// approximately): decide by the records themselves.
public final class KafkaAdmin: Sendable {
    private let client: RdKafkaClient
    private let logger: Logger
    /// `bootstrap.servers`, named in errors that say no broker answered.
    private let bootstrapServers: String

    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        self.logger = logger
        self.bootstrapServers = configuration["bootstrap.servers"] ?? "(bootstrap.servers not set)"
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
            try RdKafkaAdmin.createTopics(handle, topics, timeout: timeout)
        }
    }

    /// The cluster's topics (internal ones such as `__consumer_offsets` left out), by name.
    ///
    /// - Throws: ``KafkaError``; when no broker answered within `timeout` (`_TRANSPORT`,
    ///   `_TIMED_OUT`, `_ALL_BROKERS_DOWN`) its message names `bootstrap.servers`, since
    ///   this is usually a command's first call to the cluster.
    public func listTopics(timeout: Duration) async throws -> [TopicDescription] {
        let servers = bootstrapServers
        return try await client.blocking("admin client") { handle throws(KafkaError) in
            do throws(KafkaError) {
                return try RdKafkaAdmin.listTopics(handle, timeout: timeout)
            } catch {
                guard ["_TRANSPORT", "_TIMED_OUT", "_ALL_BROKERS_DOWN"].contains(error.name) else { throw error }
                var named = error
                named.message += "; no broker answered at bootstrap.servers=\(servers) within \(timeout)"
                throw named
            }
        }
    }

    /// The low and high watermark of a partition, asked of the partition leader. `high` is
    /// the offset the next message will get (on Tansu: an approximation).
    public func watermarks(_ partition: TopicPartition, timeout: Duration) async throws -> (low: Int64, high: Int64) {
        let (low, high) = try await client.blocking("admin client") { handle throws(KafkaError) in
            try RdKafkaAdmin.watermarks(handle, partition, timeout: timeout)
        }
        return (low, high)
    }

    /// For each partition, the offset the next message will get (on Tansu: an
    /// approximation, see ``watermarks(_:timeout:)``), in one request per partition leader.
    /// - Throws: ``KafkaError`` when a leader did not answer within `timeout`, or answered
    ///   an error for a partition (an unknown topic, for one).
    public func latestOffsets(_ partitions: [TopicPartition], timeout: Duration) async throws -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        return try await client.blocking("admin client") { handle throws(KafkaError) in
            try RdKafkaAdmin.latestOffsets(handle, partitions, timeout: timeout)
        }
    }

    /// For each partition, the earliest offset whose timestamp is at or after the given
    /// time, or nil if there is none (the time is after the last message). A hint: filter
    /// records by their own timestamps.
    public func offsetsForTimes(_ times: [TopicPartition: Date], timeout: Duration) async throws -> [TopicPartition: Int64?] {
        guard !times.isEmpty else { return [:] }
        return try await client.blocking("admin client") { handle throws(KafkaError) in
            try RdKafkaAdmin.offsetsForTimes(handle, times, timeout: timeout)
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
            try RdKafkaAdmin.committedOffsets(handle, group: group, partitions: partitions, timeout: timeout)
        }
    }
}
