import StackTestSupport
import Foundation
@testable import Kafka
import Testing

/// Producer, consumer and admin against the real broker of the local stack
/// (`scripts/stack up`; `set -a; . .stack/env; set +a`). No mocks.
@Suite(.timeLimit(.minutes(TestTime.minutes(2))))
struct KafkaIntegrationTests {
    let env: KafkaTestEnvironment

    init() throws {
        env = try KafkaTestEnvironment()
    }

    @Test func roundTripKeepsKeyValueAndHeaders() async throws {
        let topic = try await env.createTopic("kt-roundtrip", partitions: 1)
        let producer = try KafkaProducer(configuration: env.configuration, logger: env.logger)
        let sent: [(key: [UInt8]?, value: [UInt8], headers: [KafkaHeader])] = [
            (
                Array("job-1".utf8), Array(#"{"stage":"upload"}"#.utf8),
                [
                    KafkaHeader(name: "baton-attempt", string: "1"),
                    KafkaHeader(name: "binary", value: [0, 255, 7, 0]),
                    KafkaHeader(name: "null", value: nil),
                ]
            ),
            (nil, Array("no key".utf8), []),
            (Array("job-3".utf8), Array(repeating: 0xAB, count: 100_000), [KafkaHeader(name: "dup", string: "a"), KafkaHeader(name: "dup", string: "b")]),
        ]
        var reports: [DeliveryReport] = []
        for message in sent {
            reports.append(
                try await withTimeout(15, "delivery") {
                    try await producer.send(topic: topic, key: message.key, value: message.value, headers: message.headers)
                })
        }
        #expect(reports.map(\.offset) == [0, 1, 2])
        #expect(reports.allSatisfy { $0.topic == topic && $0.partition == 0 })
        await producer.shutdown(timeout: .seconds(5))
        await producer.shutdown(timeout: .seconds(5))  // idempotent
        let afterShutdown = await #expect(throws: KafkaError.self) {
            try await producer.send(topic: topic, key: nil, value: [1])
        }
        #expect(afterShutdown?.name == "_DESTROY")

        let consumer = try env.consumer(topics: [topic], group: uniqueName("kt-roundtrip"))
        let received = try await take(3, from: consumer)
        await consumer.close()
        try #require(received.count == 3)
        for (got, want) in zip(received, sent) {
            #expect(got.key == want.key)
            #expect(got.value == want.value)
            #expect(got.headers == want.headers)
            #expect(got.timestamp.map { abs($0.timeIntervalSinceNow) < 120 } == true)
        }
        #expect(received.map(\.offset) == [0, 1, 2])
        #expect(received[0].header("baton-attempt") == Array("1".utf8))
        #expect(received[2].header("dup") == Array("b".utf8))
        #expect(try await consumer.next() == nil)  // closed
    }

    @Test(arguments: ["range", "cooperative-sticky"])
    func twoConsumersSplitPartitionsThenOneOwnsAll(strategy: String) async throws {
        let topic = try await env.createTopic("kt-split", partitions: 6)
        let group = uniqueName("kt-split")
        let settings = ["partition.assignment.strategy": strategy]
        let eventsA = Recorder<RebalanceEvent>()
        let a = try env.consumer(topics: [topic], group: group, settings) { eventsA.append($0) }
        try await eventually(30, "A owns all 6 partitions") { a.assignment().count == 6 }

        let b = try env.consumer(topics: [topic], group: group, settings)
        try await eventually(30, "A and B split the partitions") {
            let (ownedByA, ownedByB) = (a.assignment(), b.assignment())
            return !ownedByA.isEmpty && !ownedByB.isEmpty && ownedByA.isDisjoint(with: ownedByB)
                && ownedByA.union(ownedByB).count == 6
        }

        await b.close()
        #expect(b.assignment().isEmpty)
        // B left the group cleanly: A takes over without waiting out B's session timeout
        // (6 s, plus a ~3 s join on Tansu).
        try await eventually(8, "A owns all 6 partitions again") { a.assignment().count == 6 }
        #expect(a.assignment() == Set((0..<6).map { TopicPartition(topic: topic, partition: Int32($0)) }))

        let gaveUp = eventsA.all.filter { if case .assigned = $0 { false } else { true } }
        #expect(!gaveUp.isEmpty, "A was told which partitions it gave up to B")
        #expect(!gaveUp.contains { if case .lost = $0 { true } else { false } })
        await a.close()
        if case .revoked(let last)? = eventsA.all.last {
            #expect(Set(last) == Set((0..<6).map { TopicPartition(topic: topic, partition: Int32($0)) }))
        } else {
            Issue.record("closing reports the final revoke, got \(eventsA.all)")
        }
    }

    @Test func commitThenRestartResumesAtCommittedOffset() async throws {
        let topic = try await env.createTopic("kt-commit", partitions: 1)
        let tp = TopicPartition(topic: topic, partition: 0)
        let group = uniqueName("kt-commit")
        _ = try await env.produce(10, to: topic)

        let first = try env.consumer(topics: [topic], group: group)
        let batch = try await take(5, from: first)
        #expect(batch.map(\.offset) == [0, 1, 2, 3, 4])
        try await withTimeout(15, "commit") { try await first.commit([tp: batch.last!.nextOffset]) }
        await first.close()

        let admin = try KafkaAdmin(configuration: env.configuration, logger: env.logger)
        defer { admin.shutdown() }
        let committed = try await withTimeout(15, "committed offsets") {
            try await admin.committedOffsets(group: group, partitions: [tp], timeout: .seconds(10))
        }
        #expect(committed == [tp: 5])

        let second = try env.consumer(topics: [topic], group: group)
        let resumed = try await take(1, from: second)
        await second.close()
        #expect(resumed.first?.offset == 5)
        #expect(resumed.first?.text == "m-5")
    }

    @Test func revokeHandlerCanCommitBeforePartitionsAreGivenUp() async throws {
        let topic = try await env.createTopic("kt-handoff", partitions: 1)
        let tp = TopicPartition(topic: topic, partition: 0)
        let group = uniqueName("kt-handoff")
        _ = try await env.produce(5, to: topic)

        // The handler hands off (commits what was processed), then overstays its welcome by
        // far: the revoke must still complete after the 1 s hand-off timeout, not wait for
        // the handler.
        let overstay = TestTime.seconds(60)
        let box = ConsumerBox()
        let processed = Recorder<Int64>()
        let handoffCommits = Recorder<Bool>()
        let consumer = try env.consumer(
            topics: [topic], group: group, options: KafkaConsumerOptions(rebalanceHandoffTimeout: .seconds(1))
        ) { event in
            guard case .revoked(let partitions) = event, partitions.contains(tp), let consumer = box.consumer,
                let last = processed.all.last
            else { return }
            do {
                try await consumer.commit([tp: last + 1])
                handoffCommits.append(true)
            } catch {
                handoffCommits.append(false)
            }
            try? await Task.sleep(for: overstay)
        }
        box.consumer = consumer
        for message in try await take(3, from: consumer) { processed.append(message.offset) }

        let clock = ContinuousClock()
        let started = clock.now
        await consumer.close()
        let elapsed = clock.now - started
        box.consumer = nil
        #expect(handoffCommits.all == [true])
        // Half the handler's stay: far above the hand-off timeout plus any scheduling delay.
        #expect(elapsed < overstay / 2, "close waited \(elapsed) for a slow handler")

        let admin = try KafkaAdmin(configuration: env.configuration, logger: env.logger)
        defer { admin.shutdown() }
        let committed = try await withTimeout(15, "committed offsets") {
            try await admin.committedOffsets(group: group, partitions: [tp], timeout: .seconds(10))
        }
        #expect(committed == [tp: 3])
    }

    @Test func pausedPartitionIsHeldBackUntilResumed() async throws {
        let topic = try await env.createTopic("kt-pause", partitions: 2)
        let p0 = TopicPartition(topic: topic, partition: 0)
        let p1 = TopicPartition(topic: topic, partition: 1)
        _ = try await env.produce(20, to: topic, partition: 0, prefix: "p0")
        _ = try await env.produce(20, to: topic, partition: 1, prefix: "p1")

        let consumer = try env.consumer(topics: [topic], group: uniqueName("kt-pause"))
        try await eventually(30, "both partitions assigned") { consumer.assignment() == [p0, p1] }
        consumer.pause([p0])
        #expect(consumer.paused() == [p0])

        let flowing = try await take(20, from: consumer)
        #expect(flowing.map(\.topicPartition) == Array(repeating: p1, count: 20))
        #expect(flowing.map(\.offset) == Array(0..<20))
        try await eventually(5, "p0 paused in librdkafka") { consumer.libraryPaused().contains(p0) }
        await #expect(throws: TimeoutError.self, "nothing from the paused partition") {
            _ = try await withTimeout(1.5, "a message of a paused partition") { try await consumer.next() }
        }

        consumer.resume([p0])
        let released = try await take(20, from: consumer)
        #expect(released.map(\.topicPartition) == Array(repeating: p0, count: 20))
        #expect(released.map(\.offset) == Array(0..<20))
        #expect(released.first?.text == "p0-0")
        await consumer.close()
    }

    @Test func slowHandlerKeepsMembershipPastMaxPollInterval() async throws {
        let topic = try await env.createTopic("kt-slow", partitions: 1)
        let tp = TopicPartition(topic: topic, partition: 0)
        _ = try await env.produce(2, to: topic)
        let events = Recorder<RebalanceEvent>()
        // librdkafka requires max.poll.interval.ms >= session.timeout.ms (6000 in tests).
        let consumer = try env.consumer(
            topics: [topic], group: uniqueName("kt-slow"), ["max.poll.interval.ms": "6000"]
        ) { events.append($0) }

        let first = try await take(1, from: consumer)
        #expect(first.first?.offset == 0)
        // The "handler" holds the message well past max.poll.interval.ms.
        try await Task.sleep(for: .seconds(8))

        #expect(consumer.assignment() == [tp])
        #expect(events.all == [.assigned([tp])], "no revoke or loss while the handler was slow")
        // A member that was kicked out could not commit (UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION).
        try await withTimeout(15, "commit") { try await consumer.commit([tp: 1]) }
        let second = try await take(1, from: consumer)
        #expect(second.first?.offset == 1)
        await consumer.close()
    }

    @Test func backpressurePausesFetchingWithoutLosingMessages() async throws {
        let topic = try await env.createTopic("kt-backpressure", partitions: 1)
        let tp = TopicPartition(topic: topic, partition: 0)
        let producer = try KafkaProducer(configuration: env.configuration, logger: env.logger)
        let total = 300
        try await withTimeout(30, "producing \(total) messages") {
            try await withThrowingTaskGroup(of: DeliveryReport.self) { group in
                for i in 0..<total {
                    group.addTask {
                        try await producer.send(topic: topic, key: nil, value: Array("bp-\(i)".utf8), partition: 0)
                    }
                }
                try await group.waitForAll()
            }
        }
        await producer.shutdown(timeout: .seconds(5))

        let consumer = try env.consumer(
            topics: [topic], group: uniqueName("kt-backpressure"),
            options: KafkaConsumerOptions(highWaterMessages: 20, lowWaterMessages: 5))
        try await eventually(30, "the buffer to reach its high-water mark") {
            consumer.bufferedCount(tp) >= 20 && consumer.libraryPaused().contains(tp)
        }
        try await Task.sleep(for: .milliseconds(500))
        let buffered = consumer.bufferedCount(tp)
        #expect(buffered < total, "fetching stopped while nobody consumed")
        #expect(buffered <= 40, "buffered \(buffered) with a high-water mark of 20")

        let all = try await take(total, from: consumer, within: 30)
        #expect(all.map(\.offset) == (0..<Int64(total)).map { $0 }, "every message once, in order")
        await consumer.close()
    }

    @Test func assignedPartitionsAreReadToTheirEndWithoutAGroup() async throws {
        let topic = try await env.createTopic("kt-eof", partitions: 3)
        let p0 = TopicPartition(topic: topic, partition: 0)
        let p1 = TopicPartition(topic: topic, partition: 1)
        let p2 = TopicPartition(topic: topic, partition: 2)
        _ = try await env.produce(3, to: topic, partition: 0, prefix: "p0")
        _ = try await env.produce(2, to: topic, partition: 1, prefix: "p1")

        let reader = try KafkaConsumer(
            configuration: env.configuration.merging(["enable.partition.eof": "true"]),
            partitions: [p0: .beginning, p1: .offset(1), p2: .beginning], logger: env.logger)
        #expect(reader.groupID == nil)
        #expect(reader.assignment() == [p0, p1, p2])
        let (messages, ends) = try await withTimeout(20, "reading to the end") {
            var messages: [KafkaMessage] = []
            var ends: [TopicPartition: Int64] = [:]
            while ends.count < 3, let event = try await reader.nextEvent() {
                switch event {
                case .message(let message): messages.append(message)
                case .endOfPartition(let tp, let offset): ends[tp] = offset
                }
            }
            return (messages, ends)
        }
        await reader.close()
        #expect(messages.filter { $0.partition == 0 }.map(\.text) == ["p0-0", "p0-1", "p0-2"])
        #expect(messages.filter { $0.partition == 1 }.map(\.offset) == [1])
        #expect(ends == [p0: 3, p1: 2, p2: 0])
    }

    @Test func deliveryToUnreachableBrokerFailsWithinMessageTimeout() async throws {
        let port = closedLoopbackPort()
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": "127.0.0.1:\(port)", "message.timeout.ms": "2000"]),
            logger: quietLogger(.critical))
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: KafkaError.self) {
            _ = try await withTimeout(10, "the delivery report") {
                try await producer.send(topic: "kt-unreachable", key: nil, value: Array("x".utf8))
            }
        }
        let elapsed = clock.now - started
        #expect(error?.name == "_MSG_TIMED_OUT")
        #expect(error?.isRetriable == true)
        #expect(error?.message.contains("kt-unreachable") == true)
        // Not before the message timeout; the upper bound is withTimeout's.
        #expect(elapsed >= .milliseconds(1500), "failed after \(elapsed)")
        await producer.shutdown(timeout: .seconds(1))
    }

    @Test func adminCreatesTopicsIdempotentlyAndAnswersOffsetQueries() async throws {
        let admin = try KafkaAdmin(configuration: env.configuration, logger: env.logger)
        defer { admin.shutdown() }
        let name = uniqueName("kt-admin")
        let topic = NewTopic(name: name, partitions: 3, replicationFactor: 1)
        let created = try await withTimeout(20, "create") { try await admin.createTopics([topic], timeout: .seconds(15)) }
        #expect(created == [TopicCreation(name: name, outcome: .created)])
        let again = try await withTimeout(20, "create again") { try await admin.createTopics([topic], timeout: .seconds(15)) }
        #expect(again == [TopicCreation(name: name, outcome: .alreadyExists)])

        let topics = try await withTimeout(20, "list") { try await admin.listTopics(timeout: .seconds(10)) }
        #expect(topics.first { $0.name == name }?.partitionCount == 3)
        #expect(!topics.contains { $0.name.hasPrefix("__") })

        let before = Date(timeIntervalSinceNow: -60)
        _ = try await env.produce(5, to: name, partition: 0)
        let p0 = TopicPartition(topic: name, partition: 0)
        let p1 = TopicPartition(topic: name, partition: 1)
        // Five single-message batches: Tansu's approximate high watermark agrees with Kafka's.
        let marks = try await withTimeout(20, "watermarks") { try await admin.watermarks(p0, timeout: .seconds(10)) }
        #expect(marks.low == 0)
        #expect(marks.high >= 1 && marks.high <= 5)
        let empty = try await withTimeout(20, "watermarks") { try await admin.watermarks(p1, timeout: .seconds(10)) }
        #expect(empty.low == 0 && empty.high == 0)

        let offsets = try await withTimeout(20, "offsets for times") {
            try await admin.offsetsForTimes([p0: before], timeout: .seconds(10))
        }
        #expect(offsets == [p0: 0])

        let never = try await withTimeout(20, "committed offsets") {
            try await admin.committedOffsets(group: uniqueName("kt-nobody"), partitions: [p0, p1], timeout: .seconds(10))
        }
        #expect(never == [p0: nil, p1: nil])

        admin.shutdown()
        await #expect(throws: KafkaError.self) { try await admin.listTopics(timeout: .seconds(1)) }
    }
}

/// Configuration errors: no broker needed.
@Suite struct KafkaConfigurationErrorTests {
    let base = ["bootstrap.servers": "127.0.0.1:9"]

    @Test func unknownPropertyIsNamed() throws {
        let error = #expect(throws: KafkaError.self) {
            try KafkaProducer(configuration: KafkaConfiguration(base.merging(["no.such.property": "1"]) { $1 }), logger: quietLogger())
        }
        #expect(error?.property == "no.such.property")
        #expect(error?.message.contains("no.such.property") == true)
        #expect(error?.name == "_INVALID_ARG")
    }

    @Test func invalidValueIsNamed() throws {
        let error = #expect(throws: KafkaError.self) {
            try KafkaConsumer(
                configuration: KafkaConfiguration(base.merging(["group.id": "g", "session.timeout.ms": "soon"]) { $1 }),
                topics: ["t"], logger: quietLogger())
        }
        #expect(error?.property == "session.timeout.ms")
        #expect(error?.message.contains("session.timeout.ms") == true)
    }

    @Test func inconsistentPropertiesAreNamed() throws {
        // librdkafka checks this one in rd_kafka_new, not in rd_kafka_conf_set.
        let error = #expect(throws: KafkaError.self) {
            try KafkaConsumer(
                configuration: KafkaConfiguration(
                    base.merging(["group.id": "g", "session.timeout.ms": "6000", "max.poll.interval.ms": "1000"]) { $1 }),
                topics: ["t"], logger: quietLogger())
        }
        #expect(error?.property != nil)
        #expect(error?.message.contains("max.poll.interval.ms") == true)
    }

    @Test func consumerNeedsGroupID() throws {
        let error = #expect(throws: KafkaError.self) {
            try KafkaConsumer(configuration: KafkaConfiguration(base), topics: ["t"], logger: quietLogger())
        }
        #expect(error?.property == "group.id")
    }

    @Test func adminRejectsUnknownPropertyToo() throws {
        let error = #expect(throws: KafkaError.self) {
            try KafkaAdmin(configuration: KafkaConfiguration(base.merging(["bogus": "x"]) { $1 }), logger: quietLogger())
        }
        #expect(error?.property == "bogus")
    }
}

/// Shutting down stays bounded when no broker answers (DESIGN §4: graceful shutdown within
/// a bounded time). No broker needed.
@Suite struct KafkaShutdownWithoutBrokerTests {
    @Test func producerShutdownIsBoundedAndFailsPendingSends() async throws {
        let port = closedLoopbackPort()
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": "127.0.0.1:\(port)"]), logger: quietLogger(.critical))
        let pending = Task { try await producer.send(topic: "kt-offline", key: nil, value: [1]) }
        try await Task.sleep(for: .milliseconds(300))
        try await withTimeout(10, "a shutdown with a 1 s flush timeout") { await producer.shutdown(timeout: .seconds(1)) }
        let error = await #expect(throws: KafkaError.self) { try await pending.value }
        #expect(error?.name == "_PURGE_QUEUE")
    }

    @Test func consumerCloseIsBounded() async throws {
        let port = closedLoopbackPort()
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(["bootstrap.servers": "127.0.0.1:\(port)", "group.id": "kt-offline"]),
            topics: ["kt-offline"], logger: quietLogger(.critical))
        let waiting = Task { try await consumer.next() }
        try await Task.sleep(for: .milliseconds(300))
        try await withTimeout(5, "close without a broker") { await consumer.close() }
        #expect(try await waiting.value == nil, "a waiting next() ends with nil on close")
        await #expect(throws: KafkaError.self) { try await consumer.commit([TopicPartition(topic: "kt-offline", partition: 0): 1]) }
    }
}
