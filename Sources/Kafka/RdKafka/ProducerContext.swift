import Foundation
import Logging
import Synchronization
internal import CRdKafka

/// The producer's shared state: sends waiting for their delivery report, and lifecycle.
/// Its delivery-report callback runs on the producer's poll thread.
final class ProducerContext: RdKafkaContext, @unchecked Sendable {
    enum Lifecycle {
        case running
        /// Shutdown requested: flush for up to this long, then stop.
        case stopping(flushTimeout: Duration)
    }

    /// Held while a message is handed to librdkafka, so that nothing is produced after the
    /// final flush.
    struct State {
        var lifecycle = Lifecycle.running
        var nextID: UInt = 1
        /// The next batch's id, below ``ProducerContext/batchIDLimit``.
        var nextBatchID: UInt = 0
        var fatalError: KafkaError?
    }

    struct Pending {
        var completion: @Sendable (Result<DeliveryReport, KafkaError>) -> Void
        var producedAt: ContinuousClock.Instant
    }

    /// Sends waiting for reports: single messages and batches, by id.
    struct Registry {
        var messages: [UInt: Pending] = [:]
        var batches: [UInt: PendingBatch] = [:]
    }

    let state = Mutex(State())
    /// Messages handed to librdkafka, by id, with what to do with their delivery report
    /// (``KafkaProducer/produce(topic:key:value:headers:partition:completion:)``; `send` too;
    /// batches of ``KafkaProducer/produce(_:completion:)`` under one entry)
    /// and when they were handed over. A lock of its own, taken briefly inside `state`'s (never
    /// the other way round): delivery reports do not wait while a message is handed over,
    /// which in a bulk copy had them spinning on one lock, 9 % of the process's CPU.
    let pending = Mutex(Registry())
    /// Topic names for delivery reports (served on the poll thread, and by a flush).
    let names = Mutex(NameCache())

    /// How long the oldest message still waiting for its delivery report has waited.
    func oldestPendingAge(now: ContinuousClock.Instant) -> Duration? {
        pending.withLock { registry in
            [registry.messages.values.lazy.map(\.producedAt).min(), registry.batches.values.lazy.map(\.producedAt).min()]
                .compactMap { $0 }.min()
        }.map { now - $0 }
    }

    override func fatalErrorRaised(_ error: KafkaError) {
        state.withLock { $0.fatalError = error }
    }

    /// Resolves the send waiting for message `id`.
    func delivered(id: UInt, _ result: Result<DeliveryReport, KafkaError>) {
        if id & Self.batchFlag != 0 {
            deliveredInBatch(Self.batchID(of: id), index: Int(id & Self.batchIndexMask), result)
        } else if let entry = pending.withLock({ $0.messages.removeValue(forKey: id) }) {
            entry.completion(result)
        } else {
            logger.debug("delivery report for unknown message \(id)")
        }
    }

    /// Fails every send still waiting (after the handle is gone).
    func failAllPending(_ error: KafkaError) {
        let (messages, batches) = pending.withLock { registry in
            defer { registry = Registry() }
            return (registry.messages, registry.batches)
        }
        for (_, entry) in messages { entry.completion(.failure(error)) }
        for (_, batch) in batches { batch.complete(failingTheRestWith: error) }
    }
}

/// Delivery report callback: runs inside rd_kafka_poll/rd_kafka_flush on our threads.
let rdKafkaDeliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    handle, message, opaque in
    guard let message, let opaque else { return }
    guard let context = Unmanaged<RdKafkaContext>.fromOpaque(opaque).takeUnretainedValue() as? ProducerContext
    else { return }
    let m = message.pointee
    let id = UInt(bitPattern: m._private)
    let topic = m.rkt.map { rkt in context.names.withLock { $0.name(rd_kafka_topic_name(rkt)) } } ?? "?"
    if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        context.delivered(id: id, .success(DeliveryReport(topic: topic, partition: m.partition, offset: m.offset)))
    } else {
        let partition = m.partition >= 0 ? "/\(m.partition)" : ""
        var error = KafkaError(m.err, context: "delivery to \(topic)\(partition) failed")
        if let handle, rd_kafka_fatal_error(handle, nil, 0) != RD_KAFKA_RESP_ERR_NO_ERROR {
            // librdkafka raised a fatal error: every queued message fails with its own
            // code, and the handle is unusable.
            let fatal = KafkaError.fatal(handle)
            error.isFatal = true
            error.isRetriable = false
            error.message += " (client failed: \(fatal.name): \(fatal.message))"
            context.fatalErrorRaised(fatal)
        } else if KafkaError.producerIdentityLost.contains(m.err.rawValue) {
            // The broker no longer accepts this producer's id or epoch. librdkafka 2.0.2
            // does not raise these as fatal for an idempotent producer, yet every later
            // send fails the same way (seen after a broker stall longer than the session):
            // the producer must be replaced, so fail it for good now.
            error.isFatal = true
            error.isRetriable = false
            context.fatalErrorRaised(error)
        }
        context.delivered(id: id, .failure(error))
    }
}
