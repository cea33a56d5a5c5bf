/// The consumer's bookkeeping between librdkafka and the application: per-partition
/// buffers, who is paused (by the application, for backpressure, at the librdkafka level),
/// the assignment, and callers suspended in `next()`.
///
/// A value type without C or threads, so its rules can be tested on their own. Every
/// mutation happens under `ConsumerContext.state`'s lock; each method returns what the
/// caller must do outside the lock (resume continuations, pause/resume in librdkafka).
struct ConsumerState {
    typealias Waiter = CheckedContinuation<KafkaConsumerEvent?, any Error>

    enum Lifecycle: Equatable {
        case running
        case closing
        case closed
    }

    struct PartitionBuffer {
        private var storage: [(sequence: UInt64, message: KafkaMessage)] = []
        private var head = 0
        private(set) var bytes = 0

        var count: Int { storage.count - head }
        var isEmpty: Bool { head == storage.count }
        var headSequence: UInt64? { isEmpty ? nil : storage[head].sequence }

        mutating func append(_ message: KafkaMessage, sequence: UInt64) {
            storage.append((sequence, message))
            bytes += message.byteCount
        }

        mutating func popFirst() -> KafkaMessage? {
            guard !isEmpty else { return nil }
            let message = storage[head].message
            head += 1
            bytes -= message.byteCount
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
    private var waiters: [(id: UInt64, continuation: Waiter, wantsEvents: Bool)] = []
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
        case deliver(Waiter, KafkaConsumerEvent)
        case buffered
        case dropped
    }

    /// A message from `rd_kafka_consumer_poll`.
    mutating func receive(_ message: KafkaMessage) -> ReceiveAction {
        let tp = message.topicPartition
        guard lifecycle == .running, assigned.contains(tp) else { return .dropped }
        endOfPartition[tp] = nil
        // Invariant: while anyone waits, no deliverable message is buffered; so if this
        // partition is deliverable its buffer is empty and the message can go straight out.
        if !userPaused.contains(tp), buffers[tp]?.isEmpty ?? true, !waiters.isEmpty {
            return .deliver(waiters.removeFirst().continuation, .message(message))
        }
        sequence += 1
        buffers[tp, default: PartitionBuffer()].append(message, sequence: sequence)
        if !flowPaused.contains(tp), let buffer = buffers[tp],
            buffer.count >= options.highWaterMessages || buffer.bytes >= options.highWaterBytes
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
            let index = waiters.firstIndex(where: \.wantsEvents)
        {
            return .deliver(waiters.remove(at: index).continuation, .endOfPartition(tp, offset: offset))
        }
        endOfPartition[tp] = offset
        return .buffered
    }

    // MARK: messages out

    enum NextAction {
        case event(KafkaConsumerEvent)
        case finished
        case fail(any Error)
        case suspended
    }

    /// A caller of `next()` (`wantsEvents` false) or `nextEvent()`: takes the oldest
    /// deliverable message (or end-of-partition event), or waits.
    mutating func next(id: UInt64, continuation: Waiter, wantsEvents: Bool, isCancelled: Bool) -> NextAction {
        guard lifecycle == .running else { return .finished }
        if let fatalError { return .fail(fatalError) }
        if let event = popEvent(wantsEvents: wantsEvents) { return .event(event) }
        if isCancelled { return .fail(CancellationError()) }
        waiters.append((id, continuation, wantsEvents))
        return .suspended
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
        return waiters.remove(at: index).continuation
    }

    /// The oldest buffered message of a partition the application has not paused.
    mutating func popDeliverable() -> KafkaMessage? {
        var best: (tp: TopicPartition, sequence: UInt64)?
        for (tp, buffer) in buffers where !userPaused.contains(tp) {
            if let s = buffer.headSequence, s < best?.sequence ?? .max { best = (tp, s) }
        }
        guard let tp = best?.tp, let message = buffers[tp]?.popFirst() else { return nil }
        if flowPaused.contains(tp), let buffer = buffers[tp],
            buffer.count <= options.lowWaterMessages, buffer.bytes <= options.lowWaterBytes
        {
            flowPaused.remove(tp)
            needsReconcile = true
        }
        return message
    }

    /// Hands buffered messages (and end events) to waiting callers, after a resume.
    private mutating func serveWaiters() -> [(Waiter, KafkaConsumerEvent)] {
        var out: [(Waiter, KafkaConsumerEvent)] = []
        var index = 0
        while index < waiters.count {
            if let event = popEvent(wantsEvents: waiters[index].wantsEvents) {
                out.append((waiters.remove(at: index).continuation, event))
            } else {
                index += 1
            }
        }
        return out
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

    mutating func resume(_ partitions: [TopicPartition]) -> (changed: Bool, deliveries: [(Waiter, KafkaConsumerEvent)]) {
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
        return (true, waiters.map(\.continuation))
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
        return waiters.map(\.continuation)
    }
}
