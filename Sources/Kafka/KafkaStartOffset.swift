/// Where a manually assigned partition starts (see
/// ``KafkaConsumer/init(configuration:partitions:logger:options:)``).
public enum KafkaStartOffset: Sendable, Hashable {
    /// The oldest retained message.
    case beginning
    /// Only messages produced from now on.
    case end
    /// The group's committed offset (needs `group.id`), else `auto.offset.reset`.
    case committed
    /// An absolute offset, e.g. from ``KafkaAdmin/offsetsForTimes(_:timeout:)``.
    case offset(Int64)
}
