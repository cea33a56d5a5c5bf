import Foundation
import Kafka
import Logging

/// Turns consumed messages into running slices: at most `concurrency` at once, jobs
/// with a future `notBefore` waiting aside (holding no slot, blocking no partition),
/// and offsets committed by per-partition watermark once a message's records are
/// acknowledged. On revoke and shutdown it asks slices to hand their jobs on and waits
/// for them before offsets are committed.
public actor SliceDispatcher {
    private struct Running {
        var stop: StopSignal
        var task: Task<Void, Never>?
    }

    private let runner: SliceRunner
    private let concurrency: Int
    private let logger: Logger
    private var consumer: KafkaConsumer?
    private var watermark = CommitWatermark<TopicPartition>()
    private var running: [TopicPartition: [Int64: Running]] = [:]
    private var slotsInUse = 0
    private var slotWaiters: [CheckedContinuation<Void, Never>] = []
    private var pausedForLimit = false
    /// Partitions this worker owns now; a message fetched before its partition was
    /// revoked must not start (the new owner reads it from the committed offset).
    private var owned: Set<TopicPartition> = []
    private var stopping = false
    private let commitRequests: AsyncStream<Void>.Continuation
    public nonisolated let commitSignals: AsyncStream<Void>

    public init(runner: SliceRunner, concurrency: Int, logger: Logger) {
        self.runner = runner
        self.concurrency = concurrency
        self.logger = logger
        (commitSignals, commitRequests) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func attach(_ consumer: KafkaConsumer) {
        self.consumer = consumer
    }

    public var inFlight: Int { watermark.totalInFlight }

    // MARK: Admission

    /// Starts work on a message. Suspends while every slot is busy (with the consumer's
    /// partitions paused), which is the worker's backpressure.
    public func admit(_ message: KafkaMessage) async {
        let partition = message.topicPartition
        guard owned.contains(partition) else { return }
        let decoded = JobEnvelopeCodec.decode(key: message.key, value: message.value)
        if case .success(let job) = decoded, let notBefore = job.notBefore, notBefore > Date() {
            start(message, partition: partition) { dispatcher, stop in
                await dispatcher.runDelayed(message, job: job, until: notBefore, stop: stop)
            }
            return
        }
        await acquireSlot()
        guard !stopping, owned.contains(partition) else {
            releaseSlot()
            return
        }
        start(message, partition: partition) { dispatcher, stop in
            await dispatcher.runSlice(message, decoded: decoded, stop: stop)
            await dispatcher.releaseSlot()
        }
    }

    public func assign(_ partitions: [TopicPartition]) {
        owned.formUnion(partitions)
    }

    private func start(_ message: KafkaMessage, partition: TopicPartition, work: @escaping @Sendable (SliceDispatcher, StopSignal) async -> Void) {
        let stop = StopSignal()
        watermark.started(partition, offset: message.offset)
        running[partition, default: [:]][message.offset] = Running(stop: stop)
        let task = Task {
            await work(self, stop)
            await self.finished(partition, offset: message.offset)
        }
        running[partition]?[message.offset]?.task = task
    }

    private nonisolated func runSlice(_ message: KafkaMessage, decoded: Result<JobEnvelope, PoisonReason>, stop: StopSignal) async {
        do {
            try await runner.process(message, decoded: decoded, stop: stop)
        } catch {
            logger.warning("slice abandoned; the message will be redelivered", metadata: [
                "partition": "\(message.partition)", "offset": "\(message.offset)", "error": "\(error)",
            ])
        }
    }

    /// A job backing off: waits aside until its time, then takes a slot like any other.
    /// A stop while waiting hands it straight back, unchanged.
    private nonisolated func runDelayed(_ message: KafkaMessage, job: JobEnvelope, until notBefore: Date, stop: StopSignal) async {
        let delay = notBefore.timeIntervalSinceNow
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: .milliseconds(Int64(max(delay, 0) * 1000))) }
            group.addTask { await stop.wait() }
            await group.next()
            group.cancelAll()
        }
        if let reason = stop.reason {
            do {
                try await runner.handBack(message, job: job, reason: reason == .shutdown ? .shutdown : .rebalance)
            } catch {
                logger.warning("could not hand back a waiting job; it will be redelivered", metadata: ["offset": "\(message.offset)", "error": "\(error)"])
            }
            return
        }
        await acquireSlot()
        await runSlice(message, decoded: .success(job), stop: stop)
        await releaseSlot()
    }

    private func finished(_ partition: TopicPartition, offset: Int64) {
        watermark.finished(partition, offset: offset)
        running[partition]?[offset] = nil
        if running[partition]?.isEmpty == true { running[partition] = nil }
        commitRequests.yield()
    }

    // MARK: Slots

    private func acquireSlot() async {
        if slotsInUse < concurrency {
            slotsInUse += 1
            if slotsInUse == concurrency { pauseForLimit() }
            return
        }
        await withCheckedContinuation { slotWaiters.append($0) }
    }

    private func releaseSlot() {
        if !slotWaiters.isEmpty {
            slotWaiters.removeFirst().resume()
            return
        }
        slotsInUse -= 1
        // Resume only once a quarter of the slots are free: librdkafka 2.0.2 takes about
        // 500 ms to fetch again after a resume, so toggling per slice would stall.
        if pausedForLimit, slotsInUse <= concurrency - max(1, concurrency / 4) {
            pausedForLimit = false
            if let consumer { consumer.resume(Array(consumer.assignment())) }
        }
    }

    private func pauseForLimit() {
        guard !pausedForLimit, let consumer else { return }
        pausedForLimit = true
        consumer.pause(Array(consumer.assignment()))
    }

    // MARK: Commits

    /// Commits every partition whose watermark moved. Errors (a rebalance racing the
    /// commit) are logged; the next commit carries the same offsets.
    public func commitPending() async {
        guard let consumer else { return }
        let pending = watermark.pendingCommits()
        guard !pending.isEmpty else { return }
        do {
            try await consumer.commit(pending)
            watermark.committed(pending)
        } catch {
            logger.warning("offset commit failed; will retry", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Hand-off

    /// Partitions are leaving this worker: cut their slices short, wait for the
    /// hand-offs to be acknowledged, commit, and forget them.
    public func revoke(_ partitions: [TopicPartition], within grace: Duration) async {
        owned.subtract(partitions)
        await stopSlices(in: Set(partitions), reason: .rebalance, within: grace)
        await commitPending()
        watermark.remove(partitions)
        for partition in partitions { running[partition] = nil }
    }

    /// Partitions already owned by someone else: abandon their slices without producing
    /// anything (the new owner redoes them from the committed offset).
    public func lose(_ partitions: [TopicPartition]) {
        owned.subtract(partitions)
        for partition in partitions {
            for slot in running[partition]?.values ?? [:].values { slot.task?.cancel() }
            running[partition] = nil
        }
        watermark.remove(partitions)
    }

    /// Shutdown: stop admitting, hand every job on, commit what is done.
    public func shutdown(within grace: Duration) async {
        stopping = true
        for waiter in slotWaiters { waiter.resume() }
        slotWaiters = []
        await stopSlices(in: nil, reason: .shutdown, within: grace)
        await commitPending()
        commitRequests.finish()
    }

    private func stopSlices(in partitions: Set<TopicPartition>?, reason: StopSignal.Reason, within grace: Duration) async {
        let selected = running.filter { partitions?.contains($0.key) ?? true }
        let count = selected.values.reduce(0) { $0 + $1.count }
        guard count > 0 else { return }
        logger.info("asking slices to hand their jobs on", metadata: ["reason": "\(reason.rawValue)", "slices": "\(count)"])
        for slots in selected.values { for slot in slots.values { slot.stop.fire(reason) } }
        let deadline = ContinuousClock.now + grace
        // Bounded and only during hand-off: re-checking beats wiring a waiter per slice.
        while running.keys.contains(where: { partitions?.contains($0) ?? true }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = running.filter { partitions?.contains($0.key) ?? true }
        if !left.isEmpty {
            logger.warning("slices did not hand off in time; their messages will be redelivered", metadata: [
                "slices": "\(left.values.reduce(0) { $0 + $1.count })",
            ])
            for slots in left.values { for slot in slots.values { slot.task?.cancel() } }
        }
    }
}
