import Kafka

/// A record's place on the cluster, as headers such as `baton-source` and
/// `baton-dlq-source` write it: `topic/partition/offset`.
public struct RecordPosition: Sendable, Hashable, Codable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// Where `message` is.
    public init(_ message: KafkaMessage) {
        self.init(topic: message.topic, partition: message.partition, offset: message.offset)
    }

    /// Reads `topic/partition/offset`; nil for anything else. Topic names cannot hold a
    /// `/`, but the last two parts are taken from the end all the same.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, let partition = Int32(parts[parts.count - 2]), let offset = Int64(parts[parts.count - 1]) else { return nil }
        let topic = parts.dropLast(2).joined(separator: "/")
        guard !topic.isEmpty else { return nil }
        self.init(topic: topic, partition: partition, offset: offset)
    }

    /// `topic/partition/offset`.
    public var description: String { "\(topic)/\(partition)/\(offset)" }
}
