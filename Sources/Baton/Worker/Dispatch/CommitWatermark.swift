import HeapModule
/// Slices finish out of order, but a Kafka commit says "everything below this offset is
/// done". Per partition this tracks the offsets in flight and yields the highest offset
/// that can be committed: the lowest one not done, or one past the last done.
///
/// A message is *done* only when what it produced was acknowledged. A message whose
/// slice ended without that (its hand-off failed, it was cut off) is *held*: it blocks
/// the watermark for as long as this consumer owns the partition, so it is redelivered
/// (to this worker after a restart, or to the partition's next owner).
public struct CommitWatermark<Partition: Hashable & Sendable>: Sendable {
    private struct State: Sendable {
        var inFlight: Set<Int64> = []
        /// `inFlight`'s offsets in order, for its lowest in O(1): a worker holding N jobs
        /// asks for it on every slice end. Offsets no longer in flight are dropped lazily
        /// from the top (``dropFinished()``).
        var inFlightOrder = Heap<Int64>()
        var held: Set<Int64> = []
        var nextAfterDone: Int64?
        var committed: Int64?

        var lowestNotDone: Int64? {
            switch (inFlightOrder.min, held.min()) {
            case (let a?, let b?): min(a, b)
            case (let a?, nil): a
            case (nil, let b?): b
            case (nil, nil): nil
            }
        }

        mutating func markDone(_ offset: Int64) {
            nextAfterDone = max(nextAfterDone ?? 0, offset + 1)
        }

        mutating func dropFinished() {
            while let lowest = inFlightOrder.min, !inFlight.contains(lowest) { _ = inFlightOrder.popMin() }
        }
    }

    private var partitions: [Partition: State] = [:]

    public init() {}

    public mutating func started(_ partition: Partition, offset: Int64) {
        if partitions[partition, default: State()].inFlight.insert(offset).inserted {
            partitions[partition]?.inFlightOrder.insert(offset)
        }
    }

    /// The message's outputs were acknowledged (or it produced none, by design).
    public mutating func finished(_ partition: Partition, offset: Int64) {
        // Mutated in place: a copy of the state would copy its sets, O(N) per message.
        guard partitions[partition]?.inFlight.remove(offset) != nil else { return }
        partitions[partition]?.dropFinished()
        partitions[partition]?.markDone(offset)
    }

    /// The message's slice ended without its outputs acknowledged: never commit past it.
    public mutating func held(_ partition: Partition, offset: Int64) {
        guard partitions[partition]?.inFlight.remove(offset) != nil else { return }
        partitions[partition]?.dropFinished()
        partitions[partition]?.held.insert(offset)
    }

    /// The offset to commit for `partition` (Kafka's "next offset to read"), if any.
    public func committable(_ partition: Partition) -> Int64? {
        guard let state = partitions[partition] else { return nil }
        if let lowest = state.lowestNotDone {
            // Never past a message not done; nothing done below it means nothing to commit.
            guard let done = state.nextAfterDone else { return nil }
            return min(lowest, done)
        }
        return state.nextAfterDone
    }

    /// Partitions whose committable offset moved past what was last committed.
    public func pendingCommits() -> [Partition: Int64] {
        var pending: [Partition: Int64] = [:]
        for partition in partitions.keys {
            guard let offset = committable(partition) else { continue }
            if let committed = partitions[partition]?.committed, committed >= offset { continue }
            pending[partition] = offset
        }
        return pending
    }

    public mutating func committed(_ offsets: [Partition: Int64]) {
        for (partition, offset) in offsets where partitions[partition] != nil {
            partitions[partition]!.committed = max(partitions[partition]!.committed ?? offset, offset)
        }
    }

    /// Messages started and not yet finished or held, over all partitions.
    public var totalInFlight: Int { partitions.values.reduce(0) { $0 + $1.inFlight.count } }

    /// Messages held (their slices ended unacknowledged), over all partitions.
    public var totalHeld: Int { partitions.values.reduce(0) { $0 + $1.held.count } }

    /// Whether `offset` of `partition` is started and neither finished nor held.
    public func isInFlight(_ partition: Partition, offset: Int64) -> Bool {
        partitions[partition]?.inFlight.contains(offset) ?? false
    }

    /// Forgets partitions this consumer no longer owns.
    public mutating func remove(_ revoked: some Sequence<Partition>) {
        for partition in revoked { partitions[partition] = nil }
    }
}
