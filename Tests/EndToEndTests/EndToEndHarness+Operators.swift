import Baton
import BatonTestSupport
import Foundation
import Kafka
import Logging

extension EndToEndHarness {
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
