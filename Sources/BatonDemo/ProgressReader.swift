import Baton
import Foundation
import Kafka
import Logging

/// Reads the jobs and outcomes topics from the beginning, outside any consumer group
/// (nothing is committed; the workers' group is not disturbed).
final class ProgressReader: Sendable {
    private let consumer: KafkaConsumer
    private let topics: TopicSettings

    init(kafka: KafkaSettings, topics: TopicSettings, partitions: [TopicDescription], logger: Logger) throws {
        var assignment: [TopicPartition: KafkaStartOffset] = [:]
        for topic in partitions where [topics.jobs.name, topics.outcomes.name].contains(topic.name) {
            for partition in topic.partitions {
                assignment[TopicPartition(topic: topic.name, partition: partition)] = .beginning
            }
        }
        var properties = kafka.clientProperties
        properties["client.id"] = "baton-demo-progress"
        consumer = try KafkaConsumer(configuration: KafkaConfiguration(properties), partitions: assignment, logger: logger)
        self.topics = topics
    }

    /// The next event; nil once closed. Messages that are not readable jobs or outcomes
    /// (none in the demo) are skipped.
    func next() async throws -> ProgressEvent? {
        while let message = try await consumer.next() {
            let at = message.timestamp ?? Date()
            if message.topic == topics.outcomes.name {
                if let record = try? OutcomeRecord.decode(message.value) { return .outcome(record, at: at) }
            } else if case .success(let envelope) = JobEnvelopeCodec.decode(key: message.key, value: message.value) {
                return .handoff(
                    envelope, worker: message.header(JobHeaders.worker).map { String(decoding: $0, as: UTF8.self) },
                    handoff: message.header(JobHeaders.handoff).map { String(decoding: $0, as: UTF8.self) }, at: at)
            }
        }
        return nil
    }

    func close() async {
        await consumer.close()
    }
}
