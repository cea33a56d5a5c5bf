import Foundation
import Logging
internal import CRdKafka

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
            conf in rd_kafka_conf_set_dr_msg_cb(conf, rdKafkaDeliveryCallback)
        }
        self.client = client
        self.context = context
        self.logger = logger
        self.mainQueue = PollQueue(rd_kafka_queue_get_main(client.handle))
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
            } catch let error as KafkaError where error.code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue {
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
            state.callbacks[id] = completion
            if let error = KafkaProducer.produce(
                handle: client.handle, id: id, topic: topic, key: key, value: value,
                headers: headers, partition: partition
            ) {
                state.callbacks[id] = nil
                return error
            }
            return nil
        }
        if let failure { throw failure }
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

    /// Hands one message to librdkafka (copied); returns an error if it was not accepted.
    private static func produce(
        handle: OpaquePointer,
        id: UInt,
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader],
        partition: Int32?
    ) -> KafkaError? {
        var hdrs: OpaquePointer?
        if !headers.isEmpty {
            hdrs = rd_kafka_headers_new(headers.count)
            for header in headers {
                let err: rd_kafka_resp_err_t
                if let value = header.value {
                    err = value.withUnsafeBytes { bytes in
                        rd_kafka_header_add(hdrs, header.name, -1, bytes.baseAddress, bytes.count)
                    }
                } else {
                    err = rd_kafka_header_add(hdrs, header.name, -1, nil, 0)
                }
                if err.isError {
                    rd_kafka_headers_destroy(hdrs)
                    return KafkaError(err, context: "header \"\(header.name)\"")
                }
            }
        }
        let opaque = UnsafeMutableRawPointer(bitPattern: id)
        let error: OpaquePointer? = value.withUnsafeBytes { valueBytes in
            func call(_ keyPointer: UnsafeRawPointer?, _ keyCount: Int) -> OpaquePointer? {
                baton_rd_kafka_produce(
                    handle, topic, partition ?? baton_rd_kafka_partition_ua(),
                    keyPointer, keyCount,
                    valueBytes.count > 0 ? valueBytes.baseAddress : nil, valueBytes.count,
                    hdrs, opaque
                )
            }
            guard let key else { return call(nil, 0) }
            if key.isEmpty {
                // A non-nil empty key stays a (zero-length) key, not a null key.
                return withUnsafeBytes(of: UInt8(0)) { call($0.baseAddress, 0) }
            }
            return key.withUnsafeBytes { call($0.baseAddress, $0.count) }
        }
        guard let error else { return nil }
        if let hdrs { rd_kafka_headers_destroy(hdrs) }
        return KafkaError(consuming: error, context: "produce to \(topic)")
    }

    /// Looks up the partitions and leaders of `topics` now (one metadata request each,
    /// kept in librdkafka's metadata cache), so that the first message to each is not held
    /// back while librdkafka learns them: a worker's first outcome after start took about
    /// 0.8 s without this. Best effort: a topic that fails here is looked up on first send.
    public func warmUp(topics: [String], timeout: Duration) async {
        for topic in topics {
            _ = try? await client.blocking("producer") { handle throws(KafkaError) in
                guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else { return }
                defer { rd_kafka_topic_destroy(topicHandle) }
                var metadata: UnsafePointer<rd_kafka_metadata>?
                let err = rd_kafka_metadata(handle, 0, topicHandle, &metadata, timeout.milliseconds)
                if let metadata { rd_kafka_metadata_destroy(metadata) }
                if err.isError { throw KafkaError(err, context: "metadata of \(topic)") }
            }
        }
    }

    /// Waits until every message handed to librdkafka so far has been delivered or failed.
    /// - Throws: `_TIMED_OUT` if messages are still outstanding after `timeout`.
    public func flush(timeout: Duration) async throws {
        try await client.blocking("producer") { handle throws(KafkaError) in
            let err = rd_kafka_flush(handle, timeout.milliseconds)
            if err.isError { throw KafkaError(err, context: "flush") }
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
            rd_kafka_poll(handle, 100)
        }
        let err = rd_kafka_flush(handle, flushTimeout.milliseconds)
        if err.isError {
            context.logger.warning(
                "Kafka producer: \(rd_kafka_outq_len(handle)) messages not delivered within the shutdown timeout; purging",
                metadata: ["kafka.client": "\(client.name)"])
        }
        rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        rd_kafka_poll(handle, 0)  // serve the purged messages' delivery reports
        mainQueue.destroy()
        client.destroy {
            context.failAllPending(.destroyed("producer"))
            finished.signal()
        }
    }
}
