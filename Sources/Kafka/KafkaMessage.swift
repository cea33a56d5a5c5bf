import struct Foundation.Date

/// A record received by a ``KafkaConsumer``. Its bytes are copied out of librdkafka.
public struct KafkaMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    /// The payload; empty for a null value.
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// The record's timestamp (create or log-append time), if the broker supplied one.
    public var timestamp: Date?

    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader] = [],
        timestamp: Date? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    public var topicPartition: TopicPartition {
        TopicPartition(topic: topic, partition: partition)
    }

    /// The value of the last header named `name` (Kafka allows repeats; the last wins,
    /// as in librdkafka's `rd_kafka_header_get_last`), or nil if there is none or it is null.
    public func header(_ name: String) -> [UInt8]? {
        headers.last { $0.name == name }?.value
    }

    /// The offset to commit once this message is done: the next one to consume.
    public var nextOffset: Int64 { offset + 1 }

    /// Bytes this message holds, for buffer accounting.
    var byteCount: Int {
        (key?.count ?? 0) + value.count
            + headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.count ?? 0) }
    }
}
