import StackTestSupport
import Foundation
import Kafka
import Synchronization
import Testing

/// `KafkaProducer.produce(…, completion:)`: many messages in flight without a task each,
/// kept in the order they were produced.
@Suite(.timeLimit(.minutes(1)))
struct ProducerCompletionTests {
    @Test func producedMessagesKeepTheirOrderAndEachIsReportedOnce() async throws {
        let env = try KafkaTestEnvironment()
        let topic = try await env.createTopic("kt-ordered", partitions: 1)
        let producer = try KafkaProducer(configuration: env.configuration, logger: env.logger)
        let reports = Mutex<[Int: DeliveryReport]>([:])
        let count = 500
        for i in 0..<count {
            try producer.produce(topic: topic, key: Array("k".utf8), value: Array("m-\(i)".utf8)) { result in
                if case .success(let report) = result { reports.withLock { $0[i] = report } }
            }
        }
        await producer.shutdown(timeout: .seconds(20))
        let delivered = reports.withLock { $0 }
        #expect(delivered.count == count)
        #expect((0..<count).map { delivered[$0]?.offset } == (0..<count).map { Int64($0) }, "offsets follow the produce order")

        let closed = try KafkaProducer(configuration: env.configuration, logger: env.logger)
        await closed.shutdown(timeout: .seconds(5))
        #expect(throws: KafkaError.self) {
            try closed.produce(topic: topic, key: nil, value: [1]) { _ in Issue.record("no report for a refused message") }
        }
    }
}
