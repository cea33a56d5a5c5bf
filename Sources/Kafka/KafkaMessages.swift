/// The messages of a ``KafkaConsumer`` as an `AsyncSequence`; each step is
/// ``KafkaConsumer/next()``. Ends when the consumer is closed.
public struct KafkaMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaMessage

    let consumer: KafkaConsumer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer

        public mutating func next() async throws -> KafkaMessage? {
            try await consumer.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: consumer)
    }
}
