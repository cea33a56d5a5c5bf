import Kafka
import Synchronization

/// What a replay's delivery reports update, shared with the copy loop: acknowledged
/// positions, the count, the first failure, and the window of copies in flight.
final class ReplayWindow: Sendable {
    struct State: Sendable {
        var acknowledgements: ReplayAcknowledgements
        /// Acknowledged copies per source partition.
        var copiedPerPartition: [Int32: Int] = [:]
        /// Acknowledged copies.
        var copied: Int { copiedPerPartition.values.reduce(0, +) }
        /// Copies whose delivery failed after librdkafka took them (a timeout, a broker
        /// error): each may have been written all the same. (librdkafka can tell a copy never
        /// sent, `rd_kafka_message_status`; the Kafka wrapper does not carry that yet.)
        var unconfirmed = 0
        var failure: String?
        var inFlight = 0
        var waiter: (limit: Int, continuation: CheckedContinuation<Void, Never>)?
    }

    let state: Mutex<State>

    init(_ acknowledgements: ReplayAcknowledgements) {
        state = Mutex(State(acknowledgements: acknowledgements))
    }

    /// Copies handed to the producer and not yet reported on.
    var inFlight: Int { state.withLock { $0.inFlight } }

    /// Whether a copy failed.
    var failed: Bool { state.withLock { $0.failure != nil } }

    /// Books a batch about to go to the producer: records not copied are handled, copies
    /// are in flight. Returns the copies in flight now. The caller keeps the window: it
    /// never begins more copies than fit below its limit.
    @discardableResult
    func begin(_ batch: ReplayBatch) -> Int {
        state.withLock { state in
            for mark in batch.marks {
                if mark.copy {
                    state.acknowledgements.started(mark.partition, offset: mark.offset)
                } else {
                    state.acknowledgements.skipped(mark.partition, offset: mark.offset)
                }
            }
            state.inFlight += batch.records.count
            return state.inFlight
        }
    }

    /// Returns once fewer than `limit` copies are in flight.
    func waitForRoom(below limit: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.inFlight < limit { return true }
                state.waiter = (limit, continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Delivery reports arrived (on the producer's poll thread): `results[i]` is the report
    /// on the copy of `sources[first + i]`. Copies the producer refused come here too, as
    /// failures, with `refused` true: those were never sent. A failed delivery report is
    /// an unknown outcome (librdkafka gives up on a message it may have sent already).
    func delivered(
        _ sources: [(partition: Int32, offset: Int64)], from first: Int, _ results: some Collection<Result<DeliveryReport, KafkaError>>,
        refused: Bool = false
    ) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.inFlight -= results.count
            var index = first
            for result in results {
                let source = sources[index]
                index += 1
                switch result {
                case .success:
                    state.acknowledgements.acknowledged(source.partition, offset: source.offset)
                    state.copiedPerPartition[source.partition, default: 0] += 1
                case .failure(let error):
                    if !refused { state.unconfirmed += 1 }
                    state.failure = state.failure ?? "\(state.acknowledgements.topic)/\(source.partition)/\(source.offset): \(error)"
                }
            }
            guard let waiter = state.waiter, state.inFlight < waiter.limit else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}
