import Foundation
import Kafka
import Logging

/// Reads the jobs, dead-letter and outcomes topics from `since` to their current end
/// (each partition until librdkafka reports its end: `enable.partition.eof`), outside any
/// consumer group, into a ``TimelineReport``.
public struct ReportReader: Sendable {
    public var configuration: BatonConfiguration
    public var logger: Logger

    public init(configuration: BatonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Bounded by `timeout` overall.
    public func read(since: Date, until: Date = Date(), timeout: Duration = .seconds(120)) async throws -> TimelineReport {
        var properties = configuration.kafka.clientProperties
        properties["enable.partition.eof"] = "true"
        properties.removeValue(forKey: "group.id")
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(configuration.kafka.clientProperties), logger: logger)
        defer { admin.shutdown() }
        let topics = configuration.topics
        let wanted = [topics.jobs.name, topics.deadLetters.name, topics.outcomes.name]
        let described = try await admin.listTopics(timeout: .seconds(30)).filter { wanted.contains($0.name) }
        var times: [TopicPartition: Date] = [:]
        for topic in described {
            for partition in topic.partitions { times[TopicPartition(topic: topic.name, partition: partition)] = since }
        }
        var report = TimelineReport(since: since, until: until)
        guard !times.isEmpty else { return report }
        // Where `since` starts in each partition (a hint; records are filtered by time too).
        var starts: [TopicPartition: KafkaStartOffset] = [:]
        if let offsets = try? await admin.offsetsForTimes(times, timeout: .seconds(30)) {
            for (partition, offset) in offsets {
                if let offset { starts[partition] = .offset(offset) }
            }
        } else {
            for partition in times.keys { starts[partition] = .beginning }
        }
        guard !starts.isEmpty else { return report }
        let reader = try KafkaConsumer(configuration: KafkaConfiguration(properties), partitions: starts, logger: logger)
        var open = Set(starts.keys)
        let deadline = ContinuousClock.now + timeout
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            await reader.close()
        }
        defer { timer.cancel() }
        while !open.isEmpty, let event = try await reader.nextEvent() {
            switch event {
            case .endOfPartition(let partition, _):
                open.remove(partition)
            case .message(let message):
                if let at = message.timestamp, at < since || at > until { continue }
                switch message.topic {
                case topics.jobs.name: report.addJobMessage(message)
                case topics.outcomes.name: report.addOutcome(message)
                default: report.addDeadLetter(message)
                }
            }
        }
        await reader.close()
        if !open.isEmpty {
            logger.warning("report: not every partition was read to its end in time", metadata: ["partitions": "\(open.map(\.description).sorted())"])
        }
        report.finish()
        return report
    }
}
