import StackTestSupport
import Foundation
import Kafka
import Synchronization
import Testing

/// `KafkaProducer.produce(_:completion:)`: a batch handed over under one lock, reported on
/// once, in the batch's order.
@Suite(.timeLimit(.minutes(1)))
struct ProducerBatchTests {
    @Test("a batch keeps its order, across partitions too, and is reported on once, every report in the batch's order")
    func batchReportedOnceInOrder() async throws {
        let env = try KafkaTestEnvironment()
        let topic = try await env.createTopic("kt-batch", partitions: 2)
        let producer = try KafkaProducer(configuration: env.configuration, logger: env.logger)
        let count = 300
        let records = (0..<count).map {
            ProducerRecord(topic: topic, partition: Int32($0 % 2), key: Array("k".utf8), value: Array("m-\($0)".utf8),
                           headers: [KafkaHeader(name: "h", string: "\($0)")])
        }
        let calls = Mutex<[[Result<DeliveryReport, KafkaError>]]>([])
        let (accepted, refusal) = producer.produce(records) { results in calls.withLock { $0.append(results) } }
        #expect(accepted == count && refusal == nil)
        await producer.shutdown(timeout: TestTime.seconds(20))
        let reported = calls.withLock { $0 }
        #expect(reported.count == 1, "one completion for the batch")
        let reports = try #require(reported.first).compactMap { try? $0.get() }
        #expect(reports.count == count)
        #expect(reports.map(\.partition) == (0..<count).map { Int32($0 % 2) })
        #expect(reports.map(\.offset) == (0..<count).map { Int64($0 / 2) }, "each partition's offsets follow the batch's order")

        let consumer = try KafkaConsumer(
            configuration: env.consumerConfiguration(group: uniqueName("kt-batch-read")),
            partitions: [TopicPartition(topic: topic, partition: 1): .beginning], logger: env.logger)
        let read = try await take(count / 2, from: consumer)
        await consumer.close()
        #expect(read.map { String(decoding: $0.value, as: UTF8.self) } == stride(from: 1, to: count, by: 2).map { "m-\($0)" })
        #expect(read.map { $0.header("h").map { String(decoding: $0, as: UTF8.self) } } == stride(from: 1, to: count, by: 2).map { "\($0)" })
    }

    @Test("a batch larger than librdkafka's queue: the first ones are taken and reported on, the rest refused with _QUEUE_FULL")
    func batchStopsAtAFullQueue() async throws {
        let env = try KafkaTestEnvironment()
        let topic = try await env.createTopic("kt-batch-full", partitions: 1)
        // A long linger keeps the first ten queued (none delivered, none making room) while
        // the batch is handed over; the shutdown's flush sends them at once.
        let producer = try KafkaProducer(
            configuration: env.configuration.merging(["queue.buffering.max.messages": "10", "linger.ms": "5000"]), logger: env.logger)
        let records = (0..<25).map { ProducerRecord(topic: topic, key: nil, value: Array("m-\($0)".utf8)) }
        let calls = Mutex<[[Result<DeliveryReport, KafkaError>]]>([])
        let (accepted, refusal) = producer.produce(records) { results in calls.withLock { $0.append(results) } }
        #expect(accepted == 10)
        #expect(refusal?.isLocalQueueFull == true)
        await producer.shutdown(timeout: TestTime.seconds(20))
        let reported = calls.withLock { $0 }
        #expect(reported.count == 1)
        #expect(reported.first?.compactMap { try? $0.get().offset } == (0..<10).map { Int64($0) })

        let (none, closed) = producer.produce(records) { _ in Issue.record("no report for a refused batch") }
        #expect(none == 0 && closed?.name == "_DESTROY")
    }
}
