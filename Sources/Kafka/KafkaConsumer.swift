import Foundation
import Logging
import Synchronization

/// A Kafka consumer: a consumer-group member (subscribe) with manual commits,
/// pause/resume, backpressure and rebalance hand-off — or a reader of explicitly
/// assigned partitions (replays, reading a topic to its end).
///
/// A dedicated thread calls `rd_kafka_consumer_poll` continuously — also while the
/// application is slow — so `max.poll.interval.ms` is never exceeded by long work. Messages
/// go into per-partition buffers; ``next()`` takes the oldest deliverable one. A partition
/// whose buffer reaches the high-water mark (``KafkaConsumerOptions``) is paused in
/// librdkafka until it drains below the low-water mark.
///
/// Offsets are never committed or stored automatically (`enable.auto.commit` and
/// `enable.auto.offset.store` are forced off): call ``commit(_:)``.
public final class KafkaConsumer: Sendable {
    let client: RdKafkaClient
    /// The last offset committed per partition (for ``lag()``).
    private let lastCommitted = Mutex<[TopicPartition: Int64]>([:])
    private let context: ConsumerContext
    private let consumerQueue: PollQueue
    private let closed = AsyncEvent()
    private let waiterIDs = Atomic<UInt64>(0)
    private let logger: Logger
    /// `group.id`; nil for a manually assigned consumer without one (it cannot commit).
    public let groupID: String?
    /// Subscribed topics (or the topics of the assigned partitions).
    public let topics: [String]

    /// Properties this consumer always sets, whatever the configuration says.
    public static let forcedProperties: [String: String] = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
    ]

    /// librdkafka 2.3.0, the first that survives closing a `cooperative-sticky` consumer
    /// before its first assignment (librdkafka #4312).
    static let stickyCloseFixedIn: Int32 = 0x0203_00ff

    private enum Mode {
        case subscribe([String])
        case assign([TopicPartition: KafkaStartOffset])
    }

    /// Joins `group.id` and subscribes to `topics`.
    ///
    /// - Parameters:
    ///   - configuration: librdkafka properties; `group.id` is required.
    ///   - topics: topics to subscribe to (librdkafka regex subscriptions start with `^`).
    ///   - options: buffering and hand-off settings.
    ///   - onRebalance: told about assignment changes; revoke/lost events are awaited (up to
    ///     `options.rebalanceHandoffTimeout`) before the partitions are given up. It must not
    ///     await ``close()``.
    public convenience init(
        configuration: KafkaConfiguration,
        topics: [String],
        logger: Logger,
        options: KafkaConsumerOptions = KafkaConsumerOptions(),
        onRebalance: (@Sendable (RebalanceEvent) async -> Void)? = nil
    ) throws {
        guard let groupID = configuration.properties["group.id"], !groupID.isEmpty else {
            throw KafkaError.configuration(property: "group.id", "a consumer needs a \"group.id\"")
        }
        guard !topics.isEmpty else {
            throw KafkaError.invalidArgument("a consumer needs at least one topic")
        }
        try self.init(configuration: configuration, mode: .subscribe(topics), logger: logger, options: options, onRebalance: onRebalance)
    }

    /// Reads exactly `partitions` from the given start offsets, outside any group
    /// rebalancing. `group.id` is optional (needed only for ``commit(_:)`` and
    /// ``KafkaStartOffset/committed``). With `enable.partition.eof=true`, ``nextEvent()``
    /// reports when each partition has been read to its end.
    public convenience init(
        configuration: KafkaConfiguration,
        partitions: [TopicPartition: KafkaStartOffset],
        logger: Logger,
        options: KafkaConsumerOptions = KafkaConsumerOptions()
    ) throws {
        guard !partitions.isEmpty else {
            throw KafkaError.invalidArgument("a consumer needs at least one partition")
        }
        try self.init(configuration: configuration, mode: .assign(partitions), logger: logger, options: options, onRebalance: nil)
    }

    private init(
        configuration: KafkaConfiguration,
        mode: Mode,
        logger: Logger,
        options: KafkaConsumerOptions,
        onRebalance: (@Sendable (RebalanceEvent) async -> Void)?
    ) throws {
        var properties = configuration.properties
        let groupID = properties["group.id"].flatMap { $0.isEmpty ? nil : $0 }
        if groupID == nil {
            // librdkafka's consumer API needs a group even for rd_kafka_assign; this one is
            // never joined and never committed to.
            properties["group.id"] = "baton-reader-\(UUID().uuidString.lowercased())"
        }
        for (key, value) in KafkaConsumer.forcedProperties {
            if let configured = properties[key], configured != value {
                logger.warning("Kafka consumer: ignoring \(key)=\(configured); offsets are committed explicitly")
            }
            properties[key] = value
        }
        if case .subscribe = mode, let strategy = properties["partition.assignment.strategy"],
            strategy.contains("cooperative-sticky"), RdKafkaConsumer.libraryVersion < KafkaConsumer.stickyCloseFixedIn
        {
            logger.warning(
                "Kafka consumer: partition.assignment.strategy=\(strategy) with librdkafka \(RdKafkaConsumer.libraryVersionName): closing before the first assignment (e.g. SIGTERM while joining the group) aborts the process (librdkafka #4312, fixed in 2.3.0); use an eager strategy (roundrobin, range)"
            )
        }
        let context = ConsumerContext(logger: logger, options: options, onRebalance: onRebalance)
        let client = try RdKafkaClient(kind: .consumer, configuration: properties, context: context, serveErrors: true) {
            conf in
            if case .subscribe = mode { RdKafkaConsumer.installRebalanceCallback(conf) }
        }
        // Serve errors and logs from the consumer queue too.
        RdKafkaConsumer.serveFromConsumerQueue(client.handle)
        let consumerQueue = PollQueue.consumer(of: client.handle)

        let topics: [String]
        let error: KafkaError?
        let what: String
        switch mode {
        case .subscribe(let subscribed):
            topics = subscribed
            what = "subscribe to \(subscribed.joined(separator: ", "))"
            error = RdKafkaConsumer.subscribe(client.handle, to: subscribed, context: what)
        case .assign(let partitions):
            topics = Set(partitions.keys.map(\.topic)).sorted()
            what = "assign \(partitions.keys.sorted().map(\.description).joined(separator: ", "))"
            context.state.withLock { $0.assign(Array(partitions.keys), replacing: true) }
            error = RdKafkaConsumer.assign(client.handle, partitions, context: what)
        }
        if let error {
            consumerQueue.destroy()
            client.destroy {}
            throw error
        }

        self.client = client
        self.context = context
        self.consumerQueue = consumerQueue
        self.logger = logger
        self.groupID = groupID
        self.topics = topics

        let closed = self.closed
        let thread = Thread {
            KafkaConsumer.pollLoop(client: client, context: context, consumerQueue: consumerQueue, closed: closed)
        }
        thread.name = "kafka-consumer-\(client.name)"
        thread.start()
        logger.debug(
            "Kafka consumer started: \(what)",
            metadata: ["kafka.client": "\(client.name)", "kafka.group": "\(groupID ?? "-")"])
    }

    deinit {
        // Not closed by its owner: leave the group in the background.
        requestClose()
    }

    /// The next message, in order within each partition. Suspends (without blocking a
    /// thread) until one is available; returns nil once the consumer is closing.
    /// Messages of partitions paused with ``pause(_:)`` are held back.
    /// - Throws: `CancellationError` when the calling task is cancelled while waiting; a
    ///   fatal ``KafkaError``.
    public func next() async throws -> KafkaMessage? {
        while let event = try await nextEvent(wantsEvents: false) {
            if case .message(let message) = event { return message }
        }
        return nil
    }

    /// Like ``next()``, but also reports ``KafkaConsumerEvent/endOfPartition(_:offset:)``
    /// (with `enable.partition.eof=true`) once a partition has been read to its end.
    public func nextEvent() async throws -> KafkaConsumerEvent? {
        try await nextEvent(wantsEvents: true)
    }

    /// Everything deliverable now, up to `max` events, in one hand-over: messages in order
    /// within each partition (the order ``nextEvent()`` would return them in), then
    /// ``KafkaConsumerEvent/endOfPartition(_:offset:)`` events. Suspends until there is at
    /// least one; returns nil once the consumer is closing. While it waits, the poll thread
    /// hands over what it received in one drain of librdkafka's queue with a single wake-up,
    /// not one per message: for readers that handle records faster than a wake-up costs
    /// (a replay's copy).
    /// - Parameter max: the most events returned (at least 1).
    /// - Throws: `CancellationError` when the calling task is cancelled while waiting; a
    ///   fatal ``KafkaError``.
    public func nextBatch(max: Int) async throws -> [KafkaConsumerEvent]? {
        try await wait { .batch($0, max: Swift.max(1, max)) }
    }

    private func nextEvent(wantsEvents: Bool) async throws -> KafkaConsumerEvent? {
        try await wait { .one($0, wantsEvents: wantsEvents) }
    }

    /// Takes what is deliverable now for the waiter `makeWaiter` builds, or suspends it
    /// until the poll thread hands events over, the consumer closes or the task is cancelled.
    private func wait<Value: Sendable>(_ makeWaiter: (CheckedContinuation<Value, any Error>) -> ConsumerWaiter) async throws -> Value {
        let id = waiterIDs.add(1, ordering: .relaxed).newValue
        let context = self.context
        let consumerQueue = self.consumerQueue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let waiter = makeWaiter(continuation)
                let (action, wake) = context.state.withLock { state in
                    (state.next(id: id, waiter: waiter, isCancelled: Task.isCancelled), state.needsReconcile)
                }
                if wake { consumerQueue.wake() }
                waiter.resolve(action)
            }
        } onCancel: {
            context.state.withLock { $0.cancelWaiter(id: id) }?.fail(CancellationError())
        }
    }

    /// ``next()`` as an `AsyncSequence`.
    public var messages: KafkaMessages { KafkaMessages(consumer: self) }

    /// Commits offsets synchronously (waits for the broker). Each offset is the *next*
    /// offset to consume — `message.offset + 1` once `message` is done. Needs `group.id`.
    public func commit(_ offsets: [TopicPartition: Int64]) async throws {
        guard !offsets.isEmpty else { return }
        guard groupID != nil else {
            throw KafkaError.unknownGroup(context: "commit needs a \"group.id\"")
        }
        try await client.blocking("consumer") { handle throws(KafkaError) in
            try RdKafkaConsumer.commit(handle, offsets)
        }
        lastCommitted.withLock { $0.merge(offsets) { max($0, $1) } }
    }

    /// Holds back the partitions' messages (buffered ones are not returned by ``next()``) and
    /// stops fetching them. Partitions not currently assigned are ignored; a pause ends when
    /// the partition is revoked.
    public func pause(_ partitions: [TopicPartition]) {
        if context.state.withLock({ $0.pause(partitions) }) {
            consumerQueue.wake()
        }
    }

    /// Ends ``pause(_:)``: held-back messages are delivered and fetching resumes (unless the
    /// partition's buffer is still above its high-water mark).
    public func resume(_ partitions: [TopicPartition]) {
        let (changed, deliveries) = context.state.withLock { $0.resume(partitions) }
        for handoff in deliveries { handoff.resume() }
        if changed { consumerQueue.wake() }
    }

    /// The partitions currently assigned to this member.
    public func assignment() -> Set<TopicPartition> {
        context.state.withLock { $0.assigned }
    }

    /// The offsets this consumer committed last, per partition.
    func committedOffsets() -> [TopicPartition: Int64] {
        lastCommitted.withLock { $0 }
    }

    /// Partitions paused by ``pause(_:)``.
    public func paused() -> Set<TopicPartition> {
        context.state.withLock { $0.userPaused }
    }

    /// Leaves the group cleanly (`rd_kafka_consumer_close` on the poll thread, which reports
    /// the final revoke to `onRebalance`), then destroys the client. Waiting ``next()`` calls
    /// return nil. Idempotent; concurrent callers all wait for the end.
    public func close() async {
        requestClose()
        await closed.wait()
    }

    private func requestClose() {
        let (first, waiters) = context.state.withLock { $0.close() }
        for waiter in waiters { waiter.finish() }
        if first {
            logger.debug("Kafka consumer closing", metadata: ["kafka.client": "\(client.name)"])
            consumerQueue.wake()
        }
    }

    /// Messages buffered for `partition` (for tests and diagnostics).
    func bufferedCount(_ partition: TopicPartition) -> Int {
        context.state.withLock { $0.bufferedCount(partition) }
    }

    /// Callers waiting in ``next()``, ``nextEvent()`` or ``nextBatch(max:)`` (for tests).
    func waitingCallers() -> Int {
        context.state.withLock { $0.waiterCount }
    }

    /// Partitions currently paused inside librdkafka (for tests and diagnostics).
    func libraryPaused() -> Set<TopicPartition> {
        context.state.withLock { $0.libraryPaused }
    }

    /// The most messages the poll thread takes from librdkafka before handing them over.
    static let drainLimit = 1000

    private static func pollLoop(client: RdKafkaClient, context: ConsumerContext, consumerQueue: PollQueue, closed: AsyncEvent) {
        let handle = client.handle
        let timeout = context.options.pollTimeout.milliseconds
        while context.state.withLock({ $0.lifecycle == .running }) {
            context.reconcilePauses(handle: handle)
            // Whatever else librdkafka holds ready is taken without waiting, then handed to a
            // batch reader at once: one wake-up per drain instead of one per message. A drain
            // ends early for a pause to reconcile, so a buffer overshoots its high-water mark
            // by no more than before.
            var drained = 0
            var more = RdKafkaConsumer.poll(handle, milliseconds: timeout, into: context)
            while more, drained < drainLimit {
                more = RdKafkaConsumer.poll(handle, milliseconds: 0, into: context)
                drained += 1
            }
            for handoff in context.state.withLock({ $0.takeReadyHandoffs() }) { handoff.resume() }
        }
        // Leave the group; the final revoke reaches onRebalance from in here.
        if let error = RdKafkaConsumer.close(handle) {
            context.logger.warning("Kafka consumer: close: \(error)", metadata: ["kafka.client": "\(client.name)"])
        }
        consumerQueue.destroy()
        context.state.withLock { $0.closed() }
        context.dropRebalanceHandler()
        client.destroy {
            context.logger.debug("Kafka consumer closed", metadata: ["kafka.client": "\(client.name)"])
            closed.signal()
        }
    }
}
