/// A change of a ``KafkaConsumer``'s assignment, reported to its `onRebalance` handler.
///
/// `revoked` and `lost` are reported *before* librdkafka gives the partitions up, and the
/// consumer waits for the handler (up to ``KafkaConsumerOptions/rebalanceHandoffTimeout``),
/// so the application can hand off in-flight work first (commit, republish). After `lost`
/// another member may already own the partitions: commits for them will fail.
public enum RebalanceEvent: Sendable, Hashable {
    case assigned([TopicPartition])
    case revoked([TopicPartition])
    case lost([TopicPartition])

    public var partitions: [TopicPartition] {
        switch self {
        case .assigned(let p), .revoked(let p), .lost(let p): p
        }
    }
}
