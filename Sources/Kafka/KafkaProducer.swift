import Foundation
import Logging

/// A Kafka producer whose `send` returns once the broker has acknowledged the message.
///
/// Defaults: `acks=all`, `enable.idempotence=true` (both can be overridden). librdkafka's
/// callbacks are served by a dedicated poll thread; `flush` and the final teardown run on
/// a dedicated serial queue, never on Swift's cooperative pool.
public final class KafkaProducer: Sendable {
    private let client: RdKafkaClient
    private let context: ProducerContext
    private let mainQueue: PollQueue
    private let finished = AsyncEvent()
    private let logger: Logger

    public static let defaultProperties: [String: String] = [
        "acks": "all",
        "enable.idempotence": "true",
    ]

    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        let properties = KafkaProducer.defaultProperties.merging(configuration.properties) { _, configured in configured }
        let context = ProducerContext(logger: logger)
        let client = try RdKafkaClient(kind: .producer, configuration: properties, context: context, serveErrors: true) {
            conf in RdKafkaProducer.installDeliveryCallback(conf)
        }
        self.client = client
        self.context = context
        self.logger = logger
        self.mainQueue = PollQueue.main(of: client.handle)
        let finished = self.finished
        let mainQueue = self.mainQueue
        let thread = Thread {
            KafkaProducer.pollLoop(client: client, context: context, mainQueue: mainQueue, finished: finished)
        }
        thread.name = "kafka-producer-\(client.name)"
        thread.start()
        logger.debug("Kafka producer started", metadata: ["kafka.client": "\(client.name)"])
    }

    deinit {
        // Not shut down by its owner: flush briefly and tear down in the background.
        requestStop(flushTimeout: .seconds(5))
    }

    /// Produces one message and waits for its delivery report.
    ///
    /// - Parameter partition: an explicit partition, or nil for the configured partitioner
    ///   (keyed messages go to the key's partition).
    /// - Throws: ``KafkaError``, e.g. `_MSG_TIMED_OUT` when the broker has not acknowledged
    ///   within `message.timeout.ms`, or `_DESTROY` after ``shutdown(timeout:)``.
    ///   Cancelling the task stops waiting for queue space, but a message already handed to
    ///   librdkafka is not withdrawn: its report is still awaited.
    public func send(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader] = [],
        partition: Int32? = nil
    ) async throws -> DeliveryReport {
        var backoff = Duration.milliseconds(1)
        while true {
            do {
                return try await produceOnce(topic: topic, key: key, value: value, headers: headers, partition: partition)
            } catch let error as KafkaError where error.isLocalQueueFull {
                // librdkafka's local queue is full: wait for deliveries to make room.
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .milliseconds(100))
            }
        }
    }

    /// Hands one message to librdkafka now and reports its delivery later, without a task
    /// or an await per message: messages produced one after another keep that order in
    /// their partition (``send(topic:key:value:headers:partition:)`` called from concurrent
    /// tasks does not promise an order).
    ///
    /// - Parameter completion: called once with the delivery report, on the producer's poll
    ///   thread (keep it short; never call ``shutdown(timeout:)`` or ``flush(timeout:)`` from it).
    /// - Throws: ``KafkaError`` when librdkafka does not take the message; `completion` is
    ///   then never called. `_QUEUE_FULL` means: wait for deliveries, then produce it again.
    public func produce(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader] = [],
        partition: Int32? = nil,
        completion: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) {
        let failure: KafkaError? = context.state.withLock { state in
            guard case .running = state.lifecycle else { return .destroyed("producer") }
            if let fatal = state.fatalError { return fatal }
            let id = state.nextID
            state.nextID &+= 1
            if state.nextID == 0 { state.nextID = 1 }
            // Registered before librdkafka can report on it: the report may come at once.
            let pending = ProducerContext.Pending(completion: completion, producedAt: .now)
            context.pending.withLock { $0.messages[id] = pending }
            if let error = RdKafkaProducer.produce(
                handle: client.handle, id: id, topic: topic, key: key, value: value,
                headers: headers, partition: partition
            ) {
                context.pending.withLock { $0.messages[id] = nil }
                return error
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Hands `records` to librdkafka in their order, under one lock, and reports on all of
    /// them at once: ``produce(topic:key:value:headers:partition:completion:)`` for a bulk
    /// copy, without a closure, a lock or a dictionary entry per message.
    ///
    /// - Parameter completion: called once, on the producer's poll thread, when every record
    ///   taken has been reported on: their reports (or failures) in the order of `records`,
    ///   one per record taken. Never called when none was taken.
    /// - Returns: how many of `records` (the first ones) librdkafka took, and why it refused
    ///   the next one when it did not take all: `_QUEUE_FULL` means wait for deliveries, then
    ///   produce the rest again; `_DESTROY` after ``shutdown(timeout:)``. At most
    ///   16,777,216 are taken at once (librdkafka's queue holds fewer); `refusal` is then nil.
    public func produce(
        _ records: [ProducerRecord],
        completion: @escaping @Sendable ([Result<DeliveryReport, KafkaError>]) -> Void
    ) -> (accepted: Int, refusal: KafkaError?) {
        guard !records.isEmpty else { return (0, nil) }
        let count = min(records.count, ProducerContext.batchLimit)
        let (accepted, refusal, finished): (Int, KafkaError?, PendingBatch?) = context.state.withLock { state in
            guard case .running = state.lifecycle else { return (0, .destroyed("producer"), nil) }
            if let fatal = state.fatalError { return (0, fatal, nil) }
            let id = state.nextBatchID
            state.nextBatchID = (id + 1) % ProducerContext.batchIDLimit
            // Registered before librdkafka can report on it: reports may come at once.
            let batch = PendingBatch(count: count, producedAt: .now, completion: completion)
            context.pending.withLock { $0.batches[id] = batch }
            let (accepted, refusal) = RdKafkaProducer.produce(handle: client.handle, records.prefix(count)) {
                ProducerContext.opaque(batch: id, index: $0)
            }
            guard accepted < count else { return (accepted, nil, nil) }
            return (accepted, refusal, context.truncateBatch(id, to: accepted))
        }
        finished?.finish()
        return (accepted, refusal)
    }

    private func produceOnce(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader],
        partition: Int32?
    ) async throws -> DeliveryReport {
        // One way into librdkafka for both: `produce(…, completion:)` registers the report
        // under the same lock that shutdown takes, so nothing is produced after the final flush.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<DeliveryReport, any Error>) in
            do {
                try produce(topic: topic, key: key, value: value, headers: headers, partition: partition) { result in
                    continuation.resume(with: result.mapError { $0 })
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// How long the oldest message handed to librdkafka and not yet reported on has
    /// waited for its acknowledgement, or nil when none waits. Normally milliseconds
    /// (`linger.ms` plus a round trip); seconds mean the broker is not acknowledging.
    public var oldestUnacknowledgedAge: Duration? {
        context.oldestPendingAge(now: .now)
    }

    /// Looks up the partitions and leaders of `topics` now (one metadata request each,
    /// kept in librdkafka's metadata cache), so that the first message to each is not held
    /// back while librdkafka learns them: a worker's first outcome after start took about
    /// 0.8 s without this. Best effort: a topic that fails here is looked up on first send.
    public func warmUp(topics: [String], timeout: Duration) async {
        for topic in topics {
            _ = try? await client.blocking("producer") { handle throws(KafkaError) in
                try RdKafkaProducer.lookUpMetadata(handle, topic: topic, timeout: timeout)
            }
        }
    }

    /// Waits until every message handed to librdkafka so far has been delivered or failed.
    /// - Throws: `_TIMED_OUT` if messages are still outstanding after `timeout`.
    public func flush(timeout: Duration) async throws {
        try await client.blocking("producer") { handle throws(KafkaError) in
            try RdKafkaProducer.flush(handle, timeout: timeout)
        }
    }

    /// Flushes (for up to `timeout`), stops the poll thread and destroys the client.
    /// Messages still undelivered after `timeout` fail with `_PURGE_QUEUE`/`_PURGE_INFLIGHT`.
    /// Idempotent; later sends throw `_DESTROY`.
    public func shutdown(timeout: Duration) async {
        requestStop(flushTimeout: timeout)
        await finished.wait()
    }

    private func requestStop(flushTimeout: Duration) {
        let first = context.state.withLock { state -> Bool in
            guard case .running = state.lifecycle else { return false }
            state.lifecycle = .stopping(flushTimeout: flushTimeout)
            return true
        }
        if first {
            logger.debug("Kafka producer shutting down", metadata: ["kafka.client": "\(client.name)"])
            mainQueue.wake()
        }
    }

    /// The poll thread: serves delivery reports (and errors) until stopped, then flushes,
    /// purges what is left, and queues the destroy.
    private static func pollLoop(client: RdKafkaClient, context: ProducerContext, mainQueue: PollQueue, finished: AsyncEvent) {
        let handle = client.handle
        var flushTimeout = Duration.zero
        while true {
            if case .stopping(let timeout) = context.state.withLock({ $0.lifecycle }) {
                flushTimeout = timeout
                break
            }
            RdKafkaProducer.poll(handle, milliseconds: 100)
        }
        do {
            try RdKafkaProducer.flush(handle, timeout: flushTimeout)
        } catch {
            context.logger.warning(
                "Kafka producer: \(RdKafkaProducer.outstanding(handle)) messages not delivered within the shutdown timeout; purging",
                metadata: ["kafka.client": "\(client.name)"])
        }
        RdKafkaProducer.purge(handle)
        mainQueue.destroy()
        client.destroy {
            context.failAllPending(.destroyed("producer"))
            finished.signal()
        }
    }
}
