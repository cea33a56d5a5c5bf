import Foundation
import Kafka

/// §1 produce through `KafkaProducer.send` (awaited delivery reports, the product's
/// producer settings: acks=all, idempotent) and §2 consume through `KafkaConsumer`.
struct KafkaBenchmarks {
    let context: BenchContext
    private var plan: Plan { context.plan }
    private static let partitions: Int32 = 4

    func produce() async throws -> [Figure] {
        let topic = context.name("produce")
        try await context.createTopics([NewTopic(name: topic, partitions: Int(Self.partitions))])
        let producer = try await makeProducer()
        let value = fillerBytes(plan.messageBytes, seed: 1)
        let section = "1 Kafka produce"

        let inFlight = plan.produceInFlight
        let concurrent = try await context.repeated("produce, \(inFlight) in flight") { round in
            let count = round < 0 ? plan.produceMessages / 4 : plan.produceMessages
            let cpu = CPUTime.now()
            let elapsed = try await Self.sendConcurrently(producer, topic: topic, count: count, inFlight: inFlight, value: value)
            return (count, elapsed, CPUTime.now() - cpu)
        }
        let sequential = try await context.repeated("produce, one at a time", repetitions: 3) { round in
            let count = round < 0 ? plan.sequentialSends / 5 : plan.sequentialSends
            return try await Self.sendOneByOne(producer, topic: topic, count: count, value: value)
        }
        await producer.shutdown(timeout: .seconds(10))

        // For comparison: the same with librdkafka's batching delay (linger.ms, 5 ms by
        // default in 2.0.2) turned off.
        let unlingered = try await makeProducer(["linger.ms": "0"])
        let sequentialNoLinger = try await context.repeated("produce, one at a time, linger.ms=0", repetitions: 3) { round in
            let count = round < 0 ? plan.sequentialSends / 5 : plan.sequentialSends
            return try await Self.sendOneByOne(unlingered, topic: topic, count: count, value: value)
        }
        await unlingered.shutdown(timeout: .seconds(10))

        let kib = plan.messageBytes / 1024
        return [
            Figure(section, "\(inFlight) sends in flight, awaited acks, \(kib) KiB values",
                "msg/s", concurrent.map { Double($0.0) / $0.1.inSeconds }),
            Figure(section, "  the same in value bytes", "MB/s",
                concurrent.map { megabytesPerSecond($0.0 * plan.messageBytes, $0.1) }),
            Figure(section, "  client CPU (bench process) per message", "µs", concurrent.map { $0.2 * 1e6 / Double($0.0) }),
            Figure(section, "one send at a time (await each ack)", "msg/s",
                sequential.map { Double($0.count) / $0.reduce(Duration.zero, +).inSeconds }),
            Figure(section, "  acked-send latency p50", "ms", sequential.map { Stats.percentile($0.map(\.inMilliseconds), 50) }),
            Figure(section, "  acked-send latency p99", "ms", sequential.map { Stats.percentile($0.map(\.inMilliseconds), 99) }),
            Figure(section, "  acked-send latency p50 with linger.ms=0 (comparison)", "ms",
                sequentialNoLinger.map { Stats.percentile($0.map(\.inMilliseconds), 50) }),
        ]
    }

    func consume() async throws -> [Figure] {
        let topic = context.name("consume")
        try await context.createTopics([NewTopic(name: topic, partitions: Int(Self.partitions))])
        let count = plan.consumeMessages
        progress("consume: producing \(count) messages")
        let producer = try await makeProducer()
        _ = try await Self.sendConcurrently(
            producer, topic: topic, count: count, inFlight: plan.produceInFlight, value: fillerBytes(plan.messageBytes, seed: 2))
        await producer.shutdown(timeout: .seconds(10))

        let kafka = try await context.configuration().kafka
        let section = "2 Kafka consume"

        // The group-less partition reader, read to the end of every partition: with the
        // default buffer limits (a partition whose buffer holds 1000 messages is paused in
        // librdkafka until it drains), and with limits this run never reaches.
        func readToEnd(_ what: String, options: KafkaConsumerOptions) async throws -> [ReadResult] {
            try await context.repeated(what, describe: Self.describe) { _ in
                var properties = kafka.clientProperties
                properties["enable.partition.eof"] = "true"
                let partitions = Dictionary(uniqueKeysWithValues: (0..<Self.partitions).map {
                    (TopicPartition(topic: topic, partition: $0), KafkaStartOffset.beginning)
                })
                let consumer = try KafkaConsumer(
                    configuration: KafkaConfiguration(properties), partitions: partitions, logger: context.logger,
                    options: options)
                return try await Self.closing(consumer) {
                    try await withTimeout(120, "\(count) messages from the partition reader") {
                        try await Self.read(consumer, expected: count, untilEndOf: Int(Self.partitions))
                    }
                }
            }
        }
        let reader = try await readToEnd("consume, partition reader", options: KafkaConsumerOptions())
        let unpaused = try await readToEnd(
            "consume, partition reader, no backpressure pauses",
            options: KafkaConsumerOptions(highWaterMessages: 10 * count, highWaterBytes: 1 << 30))

        // A consumer-group member (the worker's consumer settings), a fresh group each time.
        let group = try await context.repeated(
            "consume, group consumer", repetitions: plan.groupRepetitions, describe: Self.describe
        ) { round in
            let properties = kafka.consumerProperties(groupID: context.name("consume-group-\(round + 1)"))
            let consumer = try KafkaConsumer(
                configuration: KafkaConfiguration(properties), topics: [topic], logger: context.logger)
            return try await Self.closing(consumer) {
                try await withTimeout(120, "\(count) messages from the group consumer") {
                    try await Self.read(consumer, expected: count, untilEndOf: nil)
                }
            }
        }

        return [
            Figure(section, "partition reader (no group), \(count) x \(plan.messageBytes / 1024) KiB, 4 partitions", "msg/s",
                reader.map { Double($0.messages) / $0.streaming.inSeconds }),
            Figure(section, "  time to first message", "ms", reader.map(\.firstMessage.inMilliseconds)),
            Figure(section, "  end of every partition reported, after the last message", "ms",
                reader.map(\.endReported.inMilliseconds)),
            Figure(section, "  client CPU (bench process) per message", "µs", reader.map { $0.cpuSeconds * 1e6 / Double($0.messages) }),
            Figure(section, "  the same with buffer limits never reached (comparison)", "msg/s",
                unpaused.map { Double($0.messages) / $0.streaming.inSeconds }),
            Figure(section, "group consumer (worker's settings), fresh group", "msg/s",
                group.map { Double($0.messages) / $0.streaming.inSeconds }),
            Figure(section, "  time to first message (group join on Tansu)", "ms", group.map(\.firstMessage.inMilliseconds)),
        ]
    }

    /// How quickly a consumer-group member (the worker's settings) delivers a message
    /// produced while it waits, and one produced while its partition was paused, after
    /// the resume: the worker pauses every partition while all its slots are busy.
    func pauseResume() async throws -> [Figure] {
        let topic = context.name("pause")
        try await context.createTopics([NewTopic(name: topic, partitions: 1)])
        let partition = TopicPartition(topic: topic, partition: 0)
        let producer = try await makeProducer()
        let kafka = try await context.configuration().kafka
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(kafka.consumerProperties(groupID: context.name("pause-group"))),
            topics: [topic], logger: context.logger)
        let value = fillerBytes(plan.messageBytes, seed: 5)
        let clock = ContinuousClock()
        let repetitions = plan.quick ? 5 : 10
        let (waiting, resumed) = try await Self.closing(consumer) {
            // Joined once the first message arrives.
            _ = try await producer.send(topic: topic, key: nil, value: value)
            _ = try await withTimeout(30, "the first message") { try await consumer.next() }

            let waiting = try await context.repeated("consume, produce → delivered", repetitions: repetitions) { _ in
                let started = clock.now
                _ = try await producer.send(topic: topic, key: nil, value: value)
                _ = try await withTimeout(10, "a message") { try await consumer.next() }
                let elapsed = clock.now - started
                try await Task.sleep(for: .milliseconds(50))
                return elapsed
            }
            let resumed = try await context.repeated("consume, paused, resume → delivered", repetitions: repetitions) { _ in
                consumer.pause([partition])
                try await Task.sleep(for: .milliseconds(250))  // the pause reaches librdkafka
                _ = try await producer.send(topic: topic, key: nil, value: value)
                try await Task.sleep(for: .milliseconds(250))
                let started = clock.now
                consumer.resume([partition])
                _ = try await withTimeout(10, "a message after resume") { try await consumer.next() }
                return clock.now - started
            }
            return (waiting, resumed)
        }
        await producer.shutdown(timeout: .seconds(5))
        let section = "2 Kafka consume"
        return [
            Figure(section, "group member waiting: produce → delivered (incl. acked send)", "ms",
                waiting.map(\.inMilliseconds)),
            Figure(section, "message produced while paused: resume → delivered", "ms", resumed.map(\.inMilliseconds)),
        ]
    }

    // MARK: -

    private func makeProducer(_ extra: [String: String] = [:]) async throws -> KafkaProducer {
        let kafka = try await context.configuration().kafka
        let properties = kafka.producerProperties.merging(extra) { $1 }
        return try KafkaProducer(configuration: KafkaConfiguration(properties), logger: context.logger)
    }

    /// `count` keyed sends from `inFlight` tasks, each awaiting its delivery report before
    /// sending the next. Returns the time until the last report.
    static func sendConcurrently(
        _ producer: KafkaProducer, topic: String, count: Int, inFlight: Int, value: [UInt8]
    ) async throws -> Duration {
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<min(inFlight, count) {
                group.addTask {
                    var i = lane
                    while i < count {
                        _ = try await producer.send(topic: topic, key: Array("key-\(i)".utf8), value: value)
                        i += inFlight
                    }
                }
            }
            try await group.waitForAll()
        }
        return clock.now - started
    }

    /// Latency of each of `count` sends made one after the other.
    static func sendOneByOne(_ producer: KafkaProducer, topic: String, count: Int, value: [UInt8]) async throws -> [Duration] {
        let clock = ContinuousClock()
        var latencies: [Duration] = []
        latencies.reserveCapacity(count)
        for i in 0..<count {
            let started = clock.now
            _ = try await producer.send(topic: topic, key: Array("key-\(i)".utf8), value: value)
            latencies.append(clock.now - started)
        }
        return latencies
    }

    static func describe(_ result: ReadResult) -> String {
        String(format: "first message after %.0f ms, %.0f msg/s", result.firstMessage.inMilliseconds,
            Double(result.messages) / result.streaming.inSeconds)
    }

    /// Runs `body`, then closes the consumer (outside the measured time), also on failure.
    static func closing<T>(_ consumer: KafkaConsumer, _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await consumer.close()
            return result
        } catch {
            await consumer.close()
            throw error
        }
    }

    struct ReadResult: Sendable {
        var messages: Int
        /// From creating the consumer to its first message (connect, join, first fetch).
        var firstMessage: Duration
        /// From the first message to the last.
        var streaming: Duration
        /// From the last message to the last end-of-partition event (readers only).
        var endReported: Duration
        /// CPU time of this process from the first message to the last.
        var cpuSeconds: Double
    }

    /// Reads until `expected` messages arrived, and (for a reader) every partition reported
    /// its end.
    static func read(_ consumer: KafkaConsumer, expected: Int, untilEndOf partitions: Int?) async throws -> ReadResult {
        let clock = ContinuousClock()
        let created = clock.now
        var first: ContinuousClock.Instant?
        var last = created
        var firstCPU = 0.0, lastCPU = 0.0
        var messages = 0
        var ended = Set<Int32>()
        while messages < expected || ended.count < (partitions ?? 0) {
            guard let event = try await consumer.nextEvent() else { break }
            switch event {
            case .message:
                last = clock.now
                lastCPU = CPUTime.now()
                if first == nil { first = last; firstCPU = lastCPU }
                messages += 1
            case .endOfPartition(let partition, _):
                ended.insert(partition.partition)
            }
        }
        let finished = clock.now
        guard messages == expected, let first else {
            throw BenchFailure("read \(messages) messages, expected \(expected)")
        }
        return ReadResult(
            messages: messages, firstMessage: first - created, streaming: last - first,
            endReported: partitions == nil ? .zero : finished - last, cpuSeconds: lastCPU - firstCPU)
    }
}
