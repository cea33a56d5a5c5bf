import StackTestSupport
import Foundation
import Kafka
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The local stack's broker plus helpers shared by the Kafka tests.
struct KafkaTestEnvironment: Sendable {
    let stack: TestStack
    let logger: Logger

    init() throws {
        stack = try TestStack.current()
        logger = quietLogger()
    }

    var configuration: KafkaConfiguration { KafkaConfiguration(stack.kafkaTestProperties) }

    func consumerConfiguration(group: String, _ extra: [String: String] = [:]) -> KafkaConfiguration {
        configuration.merging(["group.id": group, "auto.offset.reset": "earliest"]).merging(extra)
    }

    func consumer(
        topics: [String],
        group: String,
        _ extra: [String: String] = [:],
        options: KafkaConsumerOptions = KafkaConsumerOptions(),
        onRebalance: (@Sendable (RebalanceEvent) async -> Void)? = nil
    ) throws -> KafkaConsumer {
        try KafkaConsumer(
            configuration: consumerConfiguration(group: group, extra), topics: topics, logger: logger,
            options: options, onRebalance: onRebalance)
    }

    /// Creates a fresh topic (Tansu would auto-create one with 4 partitions otherwise).
    func createTopic(_ prefix: String, partitions: Int) async throws -> String {
        let name = uniqueName(prefix)
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        defer { admin.shutdown() }
        let result = try await withTimeout(20, "creating \(name)") {
            try await admin.createTopics([NewTopic(name: name, partitions: partitions)], timeout: TestTime.seconds(15))
        }
        precondition(result.first?.outcome == .created)
        return name
    }

    /// Sends `count` messages `"<prefix>-<i>"` one after another (one batch each) and returns
    /// their reports.
    func produce(
        _ count: Int, to topic: String, partition: Int32? = nil, prefix: String = "m"
    ) async throws -> [DeliveryReport] {
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        var reports: [DeliveryReport] = []
        for i in 0..<count {
            reports.append(
                try await withTimeout(15, "delivery") {
                    try await producer.send(
                        topic: topic, key: Array("k\(i)".utf8), value: Array("\(prefix)-\(i)".utf8), partition: partition)
                })
        }
        await producer.shutdown(timeout: TestTime.seconds(5))
        return reports
    }
}

func quietLogger(_ level: Logger.Level = .warning) -> Logger {
    var logger = Logger(label: "KafkaTests")
    logger.logLevel = level
    return logger
}

/// The next `count` messages, within `seconds`.
func take(_ count: Int, from consumer: KafkaConsumer, within seconds: Double = 20) async throws -> [KafkaMessage] {
    try await withTimeout(seconds, "\(count) messages") {
        var messages: [KafkaMessage] = []
        while messages.count < count {
            guard let message = try await consumer.next() else { break }
            messages.append(message)
        }
        return messages
    }
}

extension KafkaMessage {
    var text: String { String(decoding: value, as: UTF8.self) }
}

/// Collects values from callbacks.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
}

/// Lets a rebalance handler reach the consumer it was passed to.
final class ConsumerBox: Sendable {
    private let value = Mutex<KafkaConsumer?>(nil)
    var consumer: KafkaConsumer? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
