import Baton
import BatonTestSupport
import Foundation
import Kafka
import Logging

extension EndToEndHarness {
    func startWorker(_ id: String = "in-process") async throws -> InProcessWorker {
        try InProcessWorker(configuration: try await configuration(), id: "\(name)-\(id)", logger: logger)
    }

    /// A real `baton worker` process (for signals), logging to a file in the scenario's directory.
    func spawnWorker(_ id: String) throws -> ChildProcess {
        try ChildProcess(
            [Self.batonExecutable, "worker", "--config", configFile, "--id", id, "--log-level", "info"],
            environment: environment,
            logPath: "\(directory)/\(id).log"
        )
    }

    /// `.build/debug/baton`, next to the test bundle.
    static var batonExecutable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first { $0.contains(".xctest") } ?? CommandLine.arguments[0])
        var directory = bundle.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("baton").path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("baton").path
    }

    // MARK: Reading topics

    /// Every record of `topic` from the start, until `done` says enough (bounded).
    func read(_ topic: String, partitions: Int32, within seconds: Double, until done: @escaping @Sendable ([KafkaMessage]) -> Bool) async throws -> [KafkaMessage] {
        let configuration = try await configuration()
        let reader = try KafkaConsumer(
            configuration: KafkaConfiguration(configuration.kafka.clientProperties),
            partitions: Dictionary(uniqueKeysWithValues: (0..<partitions).map { (TopicPartition(topic: topic, partition: $0), KafkaStartOffset.beginning) }),
            logger: logger
        )
        do {
            let messages = try await withTimeout(seconds, "records on \(topic)") {
                var messages: [KafkaMessage] = []
                while !done(messages), let message = try await reader.next() {
                    messages.append(message)
                }
                return messages
            }
            await reader.close()
            return messages
        } catch {
            await reader.close()
            throw error
        }
    }

    /// Every record of `topic`, read from the start until each partition reports its end
    /// (the records themselves decide, not a watermark: PLATFORM-NOTES on Tansu). Bounded.
    func readToEnd(_ topic: String, partitions: Int32, within seconds: Double = 20) async throws -> [KafkaMessage] {
        let configuration = try await configuration()
        var properties = configuration.kafka.clientProperties
        properties["enable.partition.eof"] = "true"
        let all = (0..<partitions).map { TopicPartition(topic: topic, partition: $0) }
        let reader = try KafkaConsumer(
            configuration: KafkaConfiguration(properties),
            partitions: Dictionary(uniqueKeysWithValues: all.map { ($0, KafkaStartOffset.beginning) }),
            logger: logger
        )
        do {
            let messages = try await withTimeout(seconds, "\(topic) read to its end") {
                var messages: [KafkaMessage] = []
                var ended: Set<TopicPartition> = []
                while ended.count < all.count, let event = try await reader.nextEvent() {
                    switch event {
                    case .message(let message): messages.append(message)
                    case .endOfPartition(let partition, _): ended.insert(partition)
                    }
                }
                return messages
            }
            await reader.close()
            return messages
        } catch {
            await reader.close()
            throw error
        }
    }

    /// The outcome topic read to its end: every outcome recorded so far.
    func allOutcomes(within seconds: Double = 15) async throws -> [OutcomeRecord] {
        let topic = try await configuration().topics.outcomes.name
        return try await readToEnd(topic, partitions: 1, within: seconds).map { try OutcomeRecord.decode($0.value) }
    }

    /// The consumer group's committed offsets on the jobs topic (nil: none yet).
    func committedJobOffsets() async throws -> [TopicPartition: Int64?] {
        let configuration = try await configuration()
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(configuration.kafka.clientProperties), logger: logger)
        defer { admin.shutdown() }
        let partitions = (0..<Int32(3)).map { TopicPartition(topic: configuration.topics.jobs.name, partition: $0) }
        return try await admin.committedOffsets(group: configuration.kafka.groupID, partitions: partitions, timeout: .seconds(10))
    }

    /// The outcome records, once there are at least `count` (bounded by `seconds`).
    func outcomes(_ count: Int, within seconds: Double) async throws -> [OutcomeRecord] {
        let topic = try await configuration().topics.outcomes.name
        return try await read(topic, partitions: 1, within: seconds) { $0.count >= count }
            .map { try OutcomeRecord.decode($0.value) }
    }

    func deadLetters(_ count: Int, within seconds: Double) async throws -> [KafkaMessage] {
        let topic = try await configuration().topics.deadLetters.name
        return try await read(topic, partitions: 1, within: seconds) { $0.count >= count }
    }

    /// Messages of the jobs topic (new jobs and continuations), once `done` holds.
    func jobMessages(
        atLeast count: Int, within seconds: Double = 10,
        until done: @escaping @Sendable ([KafkaMessage]) -> Bool = { _ in true }
    ) async throws -> [KafkaMessage] {
        let topic = try await configuration().topics.jobs.name
        return try await read(topic, partitions: 3, within: seconds) { $0.count >= count && done($0) }
    }

    /// Files the SMTP server stored for messages mentioning `text`.
    func mails(containing text: String) -> [String] {
        let directory = stack.smtpMaildir + "/new"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.compactMap { try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }.filter { $0.contains(text) }
    }
}

extension KafkaMessage {
    func headerString(_ name: String) -> String? { header(name).map { String(decoding: $0, as: UTF8.self) } }

    var envelope: JobEnvelope? {
        if case .success(let job) = JobEnvelopeCodec.decode(key: key, value: value) { return job }
        return nil
    }
}
