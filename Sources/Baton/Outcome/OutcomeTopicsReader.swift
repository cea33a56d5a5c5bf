import Foundation
import Kafka
import Logging

/// The long-lived reader behind ``TopicOutcomeLedger``: one consumer client outside any
/// group, assigned to every partition of the outcome and dead-letter topics, that keeps
/// reading and hands each event (a record, or a partition's end) to `deliver`, in order
/// per partition.
///
/// It replaces a new client per question: a question then costs a watermark look-up and,
/// if records arrived since, the fetches that bring them, instead of a connection,
/// assignment and fetch from scratch. Ends are reported once per offset reached
/// (librdkafka's `enable.partition.eof`), so a partition where nothing was written since
/// keeps the end it reported last.
final class OutcomeTopicsReader: Sendable {
    private let consumer: KafkaConsumer
    private let pump: Task<Void, Never>

    /// Starts reading.
    /// - Parameters:
    ///   - clientProperties: librdkafka properties (bootstrap servers, security…).
    ///   - positions: the next offset to read per partition (out of range: the earliest
    ///     record there is).
    ///   - deliver: called for each event, one at a time; awaited before the next.
    ///   - failed: called once if reading stops with an error (a fatal ``KafkaError``);
    ///     not called when ``close()`` ends it.
    /// - Throws: ``KafkaError`` when the client cannot be created (`positions` empty, a
    ///   bad property).
    init(
        clientProperties: [String: String], positions: [TopicPartition: Int64], logger: Logger,
        deliver: @escaping @Sendable (KafkaConsumerEvent) async -> Void,
        failed: @escaping @Sendable (any Error) async -> Void
    ) throws {
        var properties = clientProperties
        properties["enable.partition.eof"] = "true"
        properties["auto.offset.reset"] = "earliest"
        // An end is noticed after a fetch comes back empty, which the broker holds for
        // this long (Tansu: all of it): a question waits for it once when records
        // arrived. While open, the reader sends one fetch per this interval.
        properties["fetch.wait.max.ms"] = properties["fetch.wait.max.ms"] ?? "10"
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(properties), partitions: positions.mapValues { .offset($0) }, logger: logger)
        self.consumer = consumer
        pump = Task {
            do {
                while let event = try await consumer.nextEvent() { await deliver(event) }
            } catch {
                await failed(error)
            }
        }
    }

    /// Stops reading and closes the client; returns once its thread has ended and the
    /// last event was delivered. Idempotent.
    func close() async {
        await consumer.close()
        await pump.value
    }
}
