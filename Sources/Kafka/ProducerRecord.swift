/// One message for ``KafkaProducer/produce(_:completion:)``: where it goes and what it holds.
public struct ProducerRecord: Sendable {
    public var topic: String
    /// An explicit partition, or nil for the configured partitioner (keyed messages go to
    /// the key's partition).
    public var partition: Int32?
    /// The key; nil for a null key (an empty array is a zero-length key).
    public var key: [UInt8]?
    /// The payload; empty for a null value.
    public var value: [UInt8]
    public var headers: [KafkaHeader]

    public init(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}
