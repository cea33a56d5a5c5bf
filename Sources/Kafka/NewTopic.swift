/// A topic for ``KafkaAdmin/createTopics(_:timeout:)``.
public struct NewTopic: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    /// -1 lets the broker use its default.
    public var replicationFactor: Int
    /// Topic-level settings, e.g. `retention.ms`.
    public var config: [String: String]

    public init(name: String, partitions: Int = 1, replicationFactor: Int = 1, config: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
    }
}
