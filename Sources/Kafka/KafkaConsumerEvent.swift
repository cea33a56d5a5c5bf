/// What ``KafkaConsumer/nextEvent()`` returns: a message, or the news that a partition has
/// been read to its current end.
public enum KafkaConsumerEvent: Sendable, Hashable {
    case message(KafkaMessage)
    /// Every message of the partition before `offset` has been returned. Reported only with
    /// `enable.partition.eof=true`, once each time the end is reached, and only after the
    /// partition's buffered messages were taken. The right way to read "to the end": a
    /// watermark snapshot is only a hint on some brokers.
    case endOfPartition(TopicPartition, offset: Int64)
}
