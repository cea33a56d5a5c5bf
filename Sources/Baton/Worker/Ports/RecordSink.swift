import Kafka

/// Where a slice's records go: the worker's Kafka producer, or a unit test's recorder.
/// `send` returns once the record is acknowledged (for the producer: `acks=all`) and
/// throws when it was not; a ``KafkaError`` tells retriable from fatal failures.
public protocol RecordSink: Sendable {
    /// Returns once `record` is acknowledged.
    func send(_ record: OutgoingRecord) async throws
    /// How long the oldest record sent and not yet acknowledged has waited, or nil when
    /// none waits: seconds mean the broker has stopped acknowledging.
    var oldestUnacknowledgedAge: Duration? { get }
}

extension RecordSink {
    /// A sink that acknowledges as it sends never waits.
    public var oldestUnacknowledgedAge: Duration? { nil }
}

extension KafkaProducer: RecordSink {
    /// Produces `record` and awaits its delivery report.
    public func send(_ record: OutgoingRecord) async throws {
        _ = try await send(topic: record.topic, key: record.key, value: record.value, headers: record.headers)
    }
}
