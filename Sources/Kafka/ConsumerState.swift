/// The consumer's bookkeeping between librdkafka and the application: per-partition
/// buffers, who is paused (by the application, for backpressure, at the librdkafka level),
/// the assignment, and callers suspended in `next()` or `nextBatch(max:)`.
///
/// A value type without C or threads, so its rules can be tested on their own. Every
/// mutation happens under `ConsumerContext.state`'s lock; each method returns what the
/// caller must do outside the lock (resume continuations, pause/resume in librdkafka).
struct ConsumerState {
    typealias Waiter = ConsumerWaiter

    enum Lifecycle: Equatable {
        case running
        case closing
        case closed
    }

    struct PartitionBuffer {
        /// Each message's size is kept with it: counted once, not again when it leaves.
        private var storage: [(sequence: UInt64, bytes: Int, message: KafkaMessage)] = []
        private var head = 0
        private(set) var bytes = 0

        var count: Int { storage.count - head }
        var isEmpty: Bool { head == storage.count }
        var headSequence: UInt64? { isEmpty ? nil : storage[head].sequence }

        mutating func append(_ message: KafkaMessage, sequence: UInt64) {
            let size = message.byteCount
            storage.append((sequence, size, message))
            bytes += size
        }

        mutating func popFirst() -> KafkaMessage? {
            guard !isEmpty else { return nil }
            // Moved out, an empty message left behind: a copy would retain each of the
            // message's buffers here and release them later, on the reader's thread.
            var message = KafkaMessage(topic: "", partition: 0, offset: 0, key: nil, value: [])
            swap(&message, &storage[head].message)
            bytes -= storage[head].bytes
            head += 1
            if head == storage.count {
                storage.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= storage.count {
                storage.removeFirst(head)
                head = 0
            }
            return message
        }
    }

    let options: KafkaConsumerOptions
    private(set) var lifecycle = Lifecycle.running
    private(set) var assigned: Set<TopicPartition> = []
    private(set) var userPaused: Set<TopicPartition> = []
    private(set) var flowPaused: Set<TopicPartition> = []
    /// What librdkafka has been told to pause (reconciled on the poll thread).
    private(set) var libraryPaused: Set<TopicPartition> = []
    private(set) var needsReconcile = false
    private(set) var buffers: [TopicPartition: PartitionBuffer] = [:]
    private var waiters: [(id: UInt64, waiter: Waiter)] = []
    /// Messages were buffered while someone waits (a batch reader): the poll thread hands
    /// them over when its drain of librdkafka's queue ends (``takeReadyHandoffs()``), one
    /// wake-up for the lot rather than one per message.
    private(set) var batchReady = false
    /// Partitions read to their end (offset), reported once their buffer is drained.
    private(set) var endOfPartition: [TopicPartition: Int64] = [:]
    private var sequence: UInt64 = 0
    private(set) var fatalError: KafkaError?

    init(options: KafkaConsumerOptions) {
        self.options = options
    }

    var waiterCount: Int { waiters.count }
    func bufferedCount(_ tp: TopicPartition) -> Int { buffers[tp]?.count ?? 0 }

    // MARK: messages in

    enum ReceiveAction {
        case deliver(ConsumerHandoff)
        case buffered
        case dropped
    }

    /// A message from `rd_kafka_consumer_poll`.
    mutating func receive(_ message: KafkaMessage) -> ReceiveAction {
        let tp = message.topicPartition
        guard lifecycle == .running, assigned.contains(tp) else { return .dropped }
        // The partition is hashed once more at most (its buffer's index), not once per set
        // and buffer look-up: a bulk read receives every record here (issue 10).
        if !endOfPartition.isEmpty { endOfPartition[tp] = nil }
        let deliverable = userPaused.isEmpty || !userPaused.contains(tp)
        var index = buffers.index(forKey: tp)
        // Invariant: while anyone waits for one event, no deliverable message is buffered; so
        // if this partition is deliverable its buffer is empty and the message can go straight
        // out. A batch reader gets it with the rest of the poll thread's drain.
        if deliverable, let first = waiters.first {
            if case .one(let continuation, _) = first.waiter, index.map({ buffers.values[$0].isEmpty }) ?? true {
                waiters.removeFirst()
                return .deliver(.one(continuation, .message(message)))
            }
            batchReady = true
        }
        sequence += 1
        if index == nil {
            buffers[tp] = PartitionBuffer()
            index = buffers.index(forKey: tp)
        }
        let buffer = index!
        buffers.values[buffer].append(message, sequence: sequence)
        if buffers.values[buffer].count >= options.highWaterMessages || buffers.values[buffer].bytes >= options.highWaterBytes,
            !flowPaused.contains(tp)
        {
            flowPaused.insert(tp)
            needsReconcile = true
        }
        return .buffered
    }

    /// `_PARTITION_EOF` from `rd_kafka_consumer_poll`: every message before `offset` has been
    /// received (and is buffered or delivered).
    mutating func receiveEndOfPartition(_ tp: TopicPartition, offset: Int64) -> ReceiveAction {
        guard lifecycle == .running, assigned.contains(tp) else { return .dropped }
        if !userPaused.contains(tp), buffers[tp]?.isEmpty ?? true,
            let index = waiters.firstIndex(where: \.waiter.wantsEvents)
        {
            switch waiters[index].waiter {
            case .one(let continuation, _):
                waiters.remove(at: index)
                return .deliver(.one(continuation, .endOfPartition(tp, offset: offset)))
            case .batch:
                batchReady = true
            }
        }
        endOfPartition[tp] = offset
        return .buffered
    }

    // MARK: messages out

    enum NextAction {
        case event(KafkaConsumerEvent)
        case events([KafkaConsumerEvent])
        case finished
        case fail(any Error)
        case suspended
    }

    /// A caller of `next()` (`wantsEvents` false) or `nextEvent()`: takes the oldest
    /// deliverable message (or end-of-partition event), or waits.
    mutating func next(id: UInt64, waiter: Waiter, isCancelled: Bool) -> NextAction {
        guard lifecycle == .running else { return .finished }
        if let fatalError { return .fail(fatalError) }
        switch waiter {
        case .one(_, let wantsEvents):
            if let event = popEvent(wantsEvents: wantsEvents) { return .event(event) }
        case .batch(_, let max):
            let events = popBatch(max: max)
            if !events.isEmpty { return .events(events) }
        }
        if isCancelled { return .fail(CancellationError()) }
        waiters.append((id, waiter))
        return .suspended
    }

    /// Up to `max` deliverable events in the order ``popEvent(wantsEvents:)`` gives them
    /// (messages first, then ends of partitions whose buffers are empty).
    mutating func popBatch(max: Int) -> [KafkaConsumerEvent] {
        var events: [KafkaConsumerEvent] = []
        events.reserveCapacity(Swift.min(max, buffers.values.reduce(0) { $0 + $1.count } + endOfPartition.count))
        // The partitions that can deliver, found once per batch rather than hashed again per
        // message (a dictionary's indices stay valid while no key is added or removed).
        var open = buffers.indices.filter { !buffers.values[$0].isEmpty && !userPaused.contains(buffers.keys[$0]) }
        while events.count < max, !open.isEmpty {
            var oldest = 0
            for candidate in open.indices.dropFirst()
            where buffers.values[open[candidate]].headSequence! < buffers.values[open[oldest]].headSequence! {
                oldest = candidate
            }
            let index = open[oldest]
            guard let message = buffers.values[index].popFirst() else { break }
            releaseFlowPause(buffers.keys[index])
            if buffers.values[index].isEmpty { open.remove(at: oldest) }
            events.append(.message(message))
        }
        while events.count < max, let event = popEvent(wantsEvents: true) { events.append(event) }
        return events
    }

    /// The oldest deliverable message; for event readers, else a pending end of partition.
    mutating func popEvent(wantsEvents: Bool) -> KafkaConsumerEvent? {
        if let message = popDeliverable() { return .message(message) }
        guard wantsEvents else { return nil }
        let ready = endOfPartition.keys.filter { !userPaused.contains($0) && (buffers[$0]?.isEmpty ?? true) }
        guard let tp = ready.min(), let offset = endOfPartition.removeValue(forKey: tp) else { return nil }
        return .endOfPartition(tp, offset: offset)
    }

    /// A waiting `next()` was cancelled.
    mutating func cancelWaiter(id: UInt64) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index).waiter
    }

    /// The oldest buffered message of a partition the application has not paused.
    mutating func popDeliverable() -> KafkaMessage? {
        var best: (tp: TopicPartition, sequence: UInt64)?
        for (tp, buffer) in buffers where !userPaused.contains(tp) {
            if let s = buffer.headSequence, s < best?.sequence ?? .max { best = (tp, s) }
        }
        guard let tp = best?.tp, let message = buffers[tp]?.popFirst() else { return nil }
        releaseFlowPause(tp)
        return message
    }

    /// Ends a backpressure pause once the partition's buffer is down to its low-water marks.
    private mutating func releaseFlowPause(_ tp: TopicPartition) {
        if !flowPaused.isEmpty, flowPaused.contains(tp), let buffer = buffers[tp],
            buffer.count <= options.lowWaterMessages, buffer.bytes <= options.lowWaterBytes
        {
            flowPaused.remove(tp)
            needsReconcile = true
        }
    }

    /// Hands buffered messages (and end events) to waiting callers, after a resume or a
    /// drain.
    private mutating func serveWaiters() -> [ConsumerHandoff] {
        var out: [ConsumerHandoff] = []
        var index = 0
        while index < waiters.count {
            switch waiters[index].waiter {
            case .one(let continuation, let wantsEvents):
                if let event = popEvent(wantsEvents: wantsEvents) {
                    waiters.remove(at: index)
                    out.append(.one(continuation, event))
                    continue
                }
            case .batch(let continuation, let max):
                let events = popBatch(max: max)
                if !events.isEmpty {
                    waiters.remove(at: index)
                    out.append(.batch(continuation, events))
                    continue
                }
            }
            index += 1
        }
        return out
    }

    /// What the poll thread hands over at the end of a drain: everything buffered for batch
    /// readers meanwhile (nothing unless ``batchReady``).
    mutating func takeReadyHandoffs() -> [ConsumerHandoff] {
        guard batchReady else { return [] }
        batchReady = false
        return serveWaiters()
    }

    // MARK: application pause / resume

    /// Returns whether anything changed (the poll thread then reconciles).
    mutating func pause(_ partitions: [TopicPartition]) -> Bool {
        var changed = false
        for tp in partitions where assigned.contains(tp) {
            changed = userPaused.insert(tp).inserted || changed
        }
        if changed { needsReconcile = true }
        return changed
    }

    mutating func resume(_ partitions: [TopicPartition]) -> (changed: Bool, deliveries: [ConsumerHandoff]) {
        var changed = false
        for tp in partitions {
            changed = (userPaused.remove(tp) != nil) || changed
        }
        guard changed else { return (false, []) }
        needsReconcile = true
        return (true, serveWaiters())
    }

    // MARK: rebalance

    /// Partitions were assigned (eager: the whole new assignment; cooperative: an addition).
    mutating func assign(_ partitions: [TopicPartition], replacing: Bool) {
        if replacing {
            for tp in assigned.subtracting(partitions) { forget(tp) }
            assigned = Set(partitions)
        } else {
            assigned.formUnion(partitions)
        }
    }

    /// Partitions are being revoked or were lost: their buffered messages are dropped
    /// (another member will consume them from the committed offset). Returns the partitions
    /// librdkafka still holds paused, which the caller resumes before unassigning them, so
    /// a later re-assignment starts unpaused.
    mutating func revoke(_ partitions: [TopicPartition]) -> [TopicPartition] {
        var stillPaused: [TopicPartition] = []
        for tp in partitions {
            if libraryPaused.remove(tp) != nil { stillPaused.append(tp) }
            forget(tp)
            assigned.remove(tp)
        }
        return stillPaused
    }

    private mutating func forget(_ tp: TopicPartition) {
        buffers[tp] = nil
        endOfPartition[tp] = nil
        userPaused.remove(tp)
        flowPaused.remove(tp)
    }

    // MARK: librdkafka pause state

    /// What to pause and resume in librdkafka so that it matches the wanted state: paused by
    /// the application or for backpressure, among assigned partitions.
    mutating func reconcile() -> (pause: [TopicPartition], resume: [TopicPartition]) {
        needsReconcile = false
        let wanted = userPaused.union(flowPaused).intersection(assigned)
        let toPause = wanted.subtracting(libraryPaused).sorted()
        let toResume = libraryPaused.subtracting(wanted).sorted()
        libraryPaused = wanted
        return (toPause, toResume)
    }

    // MARK: lifecycle

    /// Starts closing: waiting callers get nil. Returns them and whether this was the first call.
    mutating func close() -> (first: Bool, waiters: [Waiter]) {
        guard lifecycle == .running else { return (false, []) }
        lifecycle = .closing
        defer { waiters = [] }
        return (true, waiters.map(\.waiter))
    }

    mutating func closed() {
        lifecycle = .closed
        buffers = [:]
        endOfPartition = [:]
        assigned = []
        userPaused = []
        flowPaused = []
        libraryPaused = []
    }

    /// A fatal error: waiting callers fail with it, later calls too.
    mutating func fail(_ error: KafkaError) -> [Waiter] {
        fatalError = error
        defer { waiters = [] }
        return waiters.map(\.waiter)
    }
}
