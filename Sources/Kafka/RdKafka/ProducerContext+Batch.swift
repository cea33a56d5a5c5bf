import Synchronization

/// A batch of ``KafkaProducer/produce(_:completion:)``: one entry for all its messages, so
/// that handing a message over and serving its report add no allocation or dictionary entry
/// of their own, and the caller hears once per batch.
final class PendingBatch: @unchecked Sendable {
    // @unchecked: mutated only under ProducerContext.pending's lock.
    let completion: @Sendable ([Result<DeliveryReport, KafkaError>]) -> Void
    let producedAt: ContinuousClock.Instant
    /// Per message, its report once it came.
    var results: [Result<DeliveryReport, KafkaError>?]
    /// Messages handed over and not yet reported on.
    var outstanding: Int

    init(count: Int, producedAt: ContinuousClock.Instant, completion: @escaping @Sendable ([Result<DeliveryReport, KafkaError>]) -> Void) {
        self.completion = completion
        self.producedAt = producedAt
        self.results = Array(repeating: nil, count: count)
        self.outstanding = count
    }

    /// Calls the completion once every message is reported on.
    func finish() {
        completion(results.map { $0! })
    }

    /// Calls the completion with every report, the missing ones failed with `error`.
    func complete(failingTheRestWith error: KafkaError) {
        completion(results.map { $0 ?? .failure(error) })
    }
}

extension ProducerContext {
    /// Set in the opaque of a message that belongs to a batch; single messages never reach
    /// it (their ids would have to count past 2⁶³).
    static let batchFlag: UInt = 1 << 63
    /// Bits of a batch message's opaque that hold its index in the batch.
    static let batchIndexBits = 24
    static let batchIndexMask: UInt = (1 << batchIndexBits) - 1
    /// The most messages in one batch (librdkafka's queue holds fewer, so a batch stops at
    /// `_QUEUE_FULL` long before).
    static let batchLimit = 1 << batchIndexBits
    /// Batch ids wrap below this (2³⁹ batches in flight at once cannot happen).
    static let batchIDLimit: UInt = 1 << (63 - batchIndexBits)

    /// The opaque of message `index` of batch `batch`, given back with its delivery report.
    static func opaque(batch: UInt, index: Int) -> UInt {
        batchFlag | (batch << batchIndexBits) | UInt(index)
    }

    static func batchID(of opaque: UInt) -> UInt {
        (opaque & ~batchFlag) >> batchIndexBits
    }

    /// Records the report of message `index` of batch `id`; the batch's completion runs
    /// when its last report comes (on this thread, outside the lock).
    func deliveredInBatch(_ id: UInt, index: Int, _ result: Result<DeliveryReport, KafkaError>) {
        let done = pending.withLock { registry -> PendingBatch? in
            guard let batch = registry.batches[id], index < batch.results.count else { return nil }
            batch.results[index] = result
            batch.outstanding -= 1
            guard batch.outstanding == 0 else { return nil }
            registry.batches[id] = nil
            return batch
        }
        done?.finish()
    }

    /// Librdkafka took only the first `accepted` messages of batch `id`: the batch waits for
    /// those alone. Returns the batch if every one of them has been reported already (its
    /// completion is then the caller's to run), or nil.
    func truncateBatch(_ id: UInt, to accepted: Int) -> PendingBatch? {
        pending.withLock { registry -> PendingBatch? in
            guard let batch = registry.batches[id] else { return nil }
            let dropped = batch.results.count - accepted
            batch.results.removeLast(dropped)
            batch.outstanding -= dropped
            guard batch.outstanding == 0 else { return nil }
            registry.batches[id] = nil
            return accepted > 0 ? batch : nil
        }
    }
}
