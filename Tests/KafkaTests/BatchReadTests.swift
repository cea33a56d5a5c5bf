import StackTestSupport
import Foundation
@testable import Kafka
import Synchronization
import Testing

/// `KafkaConsumer.nextBatch(max:)` against the real broker of the local stack: what a
/// replay reads with. No mocks.
@Suite(.timeLimit(.minutes(TestTime.minutes(2))))
struct BatchReadTests {
    let env: KafkaTestEnvironment

    init() throws {
        env = try KafkaTestEnvironment()
    }

    @Test func batchesHoldEveryRecordOnceInPartitionOrderThenEachEnd() async throws {
        let topic = try await env.createTopic("kt-batch", partitions: 2)
        let p0 = TopicPartition(topic: topic, partition: 0)
        let p1 = TopicPartition(topic: topic, partition: 1)
        let perPartition = 1500
        let producer = try KafkaProducer(configuration: env.configuration, logger: env.logger)
        let delivered = Mutex(0)
        for i in 0..<perPartition {
            for partition: Int32 in [0, 1] {
                try producer.produce(topic: topic, key: nil, value: Array("p\(partition)-\(i)".utf8), partition: partition) { result in
                    if case .success = result { delivered.withLock { $0 += 1 } }
                }
            }
        }
        await producer.shutdown(timeout: TestTime.seconds(20))
        #expect(delivered.withLock { $0 } == 2 * perPartition)

        let reader = try KafkaConsumer(
            configuration: env.configuration.merging(["enable.partition.eof": "true"]),
            partitions: [p0: .offset(0), p1: .offset(0)], logger: env.logger)
        let max = 700
        let (batches, ends) = try await withTimeout(30, "reading to the end in batches") {
            var batches: [[KafkaConsumerEvent]] = []
            var ends = 0
            while ends < 2, let batch = try await reader.nextBatch(max: max) {
                batches.append(batch)
                ends += batch.filter { if case .endOfPartition = $0 { true } else { false } }.count
            }
            return (batches, ends)
        }
        await reader.close()
        #expect(ends == 2)
        #expect(batches.allSatisfy { !$0.isEmpty && $0.count <= max }, "sizes \(batches.map(\.count))")
        #expect(batches.contains { $0.count > 1 }, "records fetched together are handed over together: \(batches.map(\.count))")
        let events = batches.flatMap { $0 }
        for (tp, name) in [(p0, "p0"), (p1, "p1")] {
            var messages: [KafkaMessage] = []
            var endAt: Int?
            for (index, event) in events.enumerated() {
                switch event {
                case .message(let message) where message.topicPartition == tp: messages.append(message)
                case .endOfPartition(tp, let offset):
                    #expect(offset == Int64(perPartition))
                    endAt = index
                default: break
                }
            }
            #expect(messages.map(\.offset) == (0..<Int64(perPartition)).map { $0 }, "every record of \(tp) once, in order")
            #expect(messages.first?.text == "\(name)-0" && messages.last?.text == "\(name)-\(perPartition - 1)")
            let lastMessage = events.lastIndex { if case .message(let m) = $0 { m.topicPartition == tp } else { false } }
            #expect(endAt != nil && endAt! > lastMessage!, "the end comes after the partition's records")
        }
    }

    @Test func aWaitingBatchReadEndsOnCancelAndOnClose() async throws {
        let topic = try await env.createTopic("kt-batch-wait", partitions: 1)
        let tp = TopicPartition(topic: topic, partition: 0)
        let reader = try KafkaConsumer(configuration: env.configuration, partitions: [tp: .offset(0)], logger: env.logger)
        let cancelled = Task { try await reader.nextBatch(max: 10) }
        try await eventually(5, "the batch read waiting") { reader.waitingCallers() == 1 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) {
            try await withTimeout(5, "a cancelled batch read") { try await cancelled.value }
        }
        let waiting = Task { try await reader.nextBatch(max: 10) }
        try await eventually(5, "the second batch read waiting") { reader.waitingCallers() == 1 }
        try await withTimeout(10, "close") { await reader.close() }
        #expect(try await waiting.value == nil, "a waiting nextBatch ends with nil on close")
        #expect(try await reader.nextBatch(max: 10) == nil)
    }

    @Test func oneByOneAndBatchReadersShareTheRecordsWithoutLoss() async throws {
        let topic = try await env.createTopic("kt-batch-mixed", partitions: 1)
        let tp = TopicPartition(topic: topic, partition: 0)
        _ = try await env.produce(40, to: topic, partition: 0)
        let reader = try KafkaConsumer(
            configuration: env.configuration.merging(["enable.partition.eof": "true"]),
            partitions: [tp: .offset(0)], logger: env.logger)
        let offsets = try await withTimeout(20, "reading with both calls") {
            var offsets: [Int64] = []
            var ended = false
            var turn = 0
            while !ended {
                turn += 1
                let events: [KafkaConsumerEvent]
                if turn % 2 == 0 {
                    guard let event = try await reader.nextEvent() else { break }
                    events = [event]
                } else {
                    guard let batch = try await reader.nextBatch(max: 7) else { break }
                    events = batch
                }
                for event in events {
                    switch event {
                    case .message(let message): offsets.append(message.offset)
                    case .endOfPartition: ended = true
                    }
                }
            }
            return offsets
        }
        await reader.close()
        #expect(offsets == (0..<40).map { Int64($0) })
    }
}
