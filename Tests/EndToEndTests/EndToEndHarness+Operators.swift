import Baton
import BatonTestSupport
import Foundation
import Kafka
import Logging

extension EndToEndHarness {
    /// Every record of `topic`, read to the end of each partition (the EOF event).
    func readToEnd(_ topic: String, partitions: Int32, within seconds: Double = 20) async throws -> [KafkaMessage] {
        let configuration = try await configuration()
        var properties = configuration.kafka.clientProperties
        properties["enable.partition.eof"] = "true"
        let reader = try KafkaConsumer(
            configuration: KafkaConfiguration(properties),
            partitions: Dictionary(uniqueKeysWithValues: (0..<partitions).map { (TopicPartition(topic: topic, partition: $0), KafkaStartOffset.beginning) }),
            logger: logger)
        do {
            let messages = try await withTimeout(seconds, "the end of \(topic)") {
                var messages: [KafkaMessage] = []
                var ended = Set<TopicPartition>()
                while ended.count < partitions, let event = try await reader.nextEvent() {
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

    /// Produces records (awaiting each acknowledgement) onto `topic`.
    func produce(_ topic: String, _ records: [(key: String, value: [UInt8], headers: [KafkaHeader])]) async throws {
        let configuration = try await configuration()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(configuration.kafka.producerProperties), logger: logger)
        for record in records {
            _ = try await producer.send(topic: topic, key: Array(record.key.utf8), value: record.value, headers: record.headers, partition: 0)
        }
        await producer.shutdown(timeout: .seconds(5))
    }

    func createTopic(_ name: String, partitions: Int) async throws {
        let configuration = try await configuration()
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(configuration.kafka.clientProperties), logger: logger)
        defer { admin.shutdown() }
        _ = try await admin.createTopics([NewTopic(name: name, partitions: partitions)], timeout: .seconds(10))
    }

    func replayer() async throws -> Replayer {
        Replayer(kafka: try await configuration().kafka, logger: logger)
    }

    func jobsReader() async throws -> JobsReader {
        let configuration = try await configuration()
        return JobsReader(kafka: configuration.kafka, topics: configuration.topics, logger: logger, timeout: .seconds(30))
    }

    /// Starts the real `baton` executable with this scenario's configuration; its standard
    /// output goes to the returned file (logs, at error level, to a separate one).
    func spawnBaton(_ arguments: [String]) throws -> (process: ChildProcess, output: String) {
        let output = "\(directory)/baton-\(UUID().uuidString.prefix(8)).out"
        let process = try ChildProcess(
            ["/bin/sh", "-c", "exec \"$0\" \"$@\" 2>>\(directory)/baton-stderr.log", Self.batonExecutable]
                + arguments + ["--config", configFile, "--log-level", "error"],
            environment: environment, logPath: output)
        return (process, output)
    }

    /// Runs the real `baton` executable (bounded); returns its exit status and standard output.
    func runBaton(_ arguments: [String], within seconds: Int = 60) async throws -> (status: Int32, output: String) {
        let (process, output) = try spawnBaton(arguments)
        let status: Int32
        do {
            status = try await process.wait(timeout: .seconds(seconds))
        } catch {
            process.kill()
            throw error
        }
        return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}
