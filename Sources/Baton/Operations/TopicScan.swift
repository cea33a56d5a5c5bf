import Foundation
import Kafka
import Logging

/// Reads partitions from given offsets to their end, outside any consumer group (nothing
/// is committed). "The end" is the partition-EOF event, not a watermark snapshot: on
/// brokers whose watermarks are approximate (Tansu) a snapshot would miss records.
final class TopicScan {
    let consumer: KafkaConsumer
    private var remaining: Set<TopicPartition>
    /// Partitions read to their end or finished early: the complement of `remaining` among
    /// the assigned ones, looked at per record only once it is not empty (a hash less).
    private var done: Set<TopicPartition> = []
    /// Events taken from the reader in one hand-over (``KafkaConsumer/nextBatch(max:)``),
    /// returned one by one from `next()`.
    private var batch: [KafkaConsumerEvent] = []
    private var batchIndex = 0
    private let logger: Logger
    private var timedOut: TimeoutFlag?

    final class TimeoutFlag: Sendable {
        let task: Task<Bool, Never>
        init(task: Task<Bool, Never>) { self.task = task }
    }

    /// - Parameters:
    ///   - clientProperties: librdkafka properties (bootstrap servers, security…).
    ///   - starts: where each partition starts.
    ///   - options: the reader's buffers (``bulkReadOptions(partitions:)`` for a copy of a
    ///     whole topic).
    init(
        clientProperties: [String: String], starts: [TopicPartition: KafkaStartOffset],
        options: KafkaConsumerOptions = KafkaConsumerOptions(), logger: Logger
    ) throws {
        var properties = clientProperties
        properties["enable.partition.eof"] = "true"
        properties["auto.offset.reset"] = "earliest"
        // End of partition is noticed after a fetch comes back empty, which a broker holds
        // for this long (Tansu: all of it). Every read to the end pays it once: an outcome
        // ledger's look-up, the end of a replay. While records flow it costs nothing.
        properties["fetch.wait.max.ms"] = properties["fetch.wait.max.ms"] ?? "10"
        consumer = try KafkaConsumer(configuration: KafkaConfiguration(properties), partitions: starts, logger: logger, options: options)
        remaining = Set(starts.keys)
        self.logger = logger
    }

    /// Buffers for reading faster than the records are handled (a replay): up to 64 MiB
    /// in all, shared among the partitions (at least 4 MiB each), with no count limit.
    ///
    /// A partition whose buffer is full is paused in librdkafka, and a pause drops what
    /// librdkafka had fetched for it beyond the buffer: the next fetch starts again where
    /// the buffer ends. Tansu answers a fetch with up to about 5 MB of one partition (some
    /// 9,000 records of 0.6 KB), so the default limit of 1,000 records paused every
    /// partition after each fetch and threw most of it away: a 100,000-record replay
    /// fetched each record several times and waited for most of those fetches (issue 10).
    /// A buffer that holds more than one fetch keeps each fetch whole.
    static func bulkReadOptions(partitions: Int) -> KafkaConsumerOptions {
        KafkaConsumerOptions(highWaterMessages: Int.max / 2, highWaterBytes: max(4 << 20, (64 << 20) / max(1, partitions)))
    }

    /// Closes the reader after `timeout`; ``next()`` then returns nil and ``timedOutNow``
    /// is true.
    func limit(to timeout: Duration) {
        let consumer = self.consumer
        timedOut = TimeoutFlag(task: Task {
            do { try await Task.sleep(for: timeout) } catch { return false }
            await consumer.close()
            return true
        })
    }

    /// The most events taken from the reader at once.
    static let batchSize = 2048

    /// The next record of a partition not yet at its end, or nil when every partition
    /// reported its end (or the reader was closed).
    ///
    /// Records are taken from the reader in batches of what it has buffered: one hand-over
    /// (a lock, a wake-up at most) per batch rather than per record (issue 10).
    func next() async throws -> KafkaMessage? {
        while !remaining.isEmpty {
            if batchIndex == batch.count {
                batch = []
                batchIndex = 0
                guard let events = try await consumer.nextBatch(max: Self.batchSize) else { return nil }
                batch = events
            }
            // Moved out of the batch, not copied: a copy retains the record's buffers here
            // and releases them again when the batch goes.
            var event = KafkaConsumerEvent.endOfPartition(TopicPartition(topic: "", partition: 0), offset: 0)
            swap(&event, &batch[batchIndex])
            batchIndex += 1
            switch event {
            case .message(let message):
                if done.isEmpty || !done.contains(message.topicPartition) { return message }
            case .endOfPartition(let partition, let offset):
                remaining.remove(partition)
                done.insert(partition)
                logger.debug("read \(partition) to its end", metadata: ["offset": "\(offset)"])
            }
        }
        return nil
    }

    /// Stops reading `partition` before its end.
    func finish(_ partition: TopicPartition) {
        if remaining.remove(partition) != nil {
            done.insert(partition)
            consumer.pause([partition])
        }
    }

    /// Whether ``next()`` has events of the last batch left, i.e. returns without waiting
    /// for the reader (unless none of them is a record it returns).
    var hasBuffered: Bool { batchIndex < batch.count }

    /// Closes the reader; true if it was closed by the time limit.
    func close() async -> Bool {
        timedOut?.task.cancel()
        let expired = await timedOut?.task.value ?? false
        await consumer.close()
        return expired
    }

    /// Every record of `topic` (all partitions, from the beginning, to the end). A topic
    /// that does not exist has no records.
    /// - Throws: ``KafkaError``; ``JobsError/timedOut(_:)`` after `timeout`.
    static func readAll(
        topic: String, clientProperties: [String: String], timeout: Duration, logger: Logger,
        _ body: (KafkaMessage) throws -> Void
    ) async throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(clientProperties), logger: logger)
        let description = try await admin.listTopics(timeout: .seconds(30)).first { $0.name == topic }
        admin.shutdown()
        guard let description, !description.partitions.isEmpty else { return }
        let scan = try TopicScan(
            clientProperties: clientProperties,
            // Offset 0, not `.beginning`: no offset look-up first (half a second); out of
            // range, `auto.offset.reset=earliest` starts at the first record there is.
            starts: Dictionary(uniqueKeysWithValues: description.partitions.map { (TopicPartition(topic: topic, partition: $0), .offset(0)) }),
            logger: logger)
        scan.limit(to: timeout)
        do {
            while let message = try await scan.next() { try body(message) }
        } catch {
            _ = await scan.close()
            throw error
        }
        if await scan.close() { throw JobsError.timedOut("reading \(topic) to its end took longer than \(ConfigDuration.format(timeout))") }
    }
}
