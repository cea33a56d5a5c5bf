import Kafka

/// The worker's producer failed for good (librdkafka marks the error fatal, e.g.
/// `PRODUCER_FENCED` or `OUT_OF_ORDER_SEQUENCE_NUMBER` of the idempotent producer): no
/// record can be handed on any more. The worker stops without committing past what it
/// could not hand on, and exits non-zero so that it is restarted with a new producer.
public struct ProducerFailure: Error, CustomStringConvertible {
    public var underlying: KafkaError

    public init(_ underlying: KafkaError) {
        self.underlying = underlying
    }

    public var description: String { "producer failed: \(underlying)" }
}
