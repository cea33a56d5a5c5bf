/// One message for ``KafkaProducer/produce(_:completion:)``: where it goes and what it holds.
public struct ProducerRecord: Sendable {
    /// The topic it is produced to.
    public var topic: String
    /// An explicit partition, or nil for the configured partitioner (keyed messages go to
    /// the key's partition).
    public var partition: Int32?
    /// The key; nil for a null key (an empty array is a zero-length key).
    public var key: [UInt8]?
    /// The payload; empty for a null value.
    public var value: [UInt8]
    /// Record headers, in order (repeated names allowed).
    public var headers: [KafkaHeader]

    /// A record for `topic`; see the properties.
    public init(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}
