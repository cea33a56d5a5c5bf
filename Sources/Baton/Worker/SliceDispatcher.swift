import Foundation
import Kafka
import Logging

/// Carries out ``SliceDispatcherState``'s decisions: runs slices as tasks, wakes jobs
/// waiting out their `notBefore`, stops and cancels slices, commits, pauses fetching.
/// Every decision is the state machine's; this actor only feeds it events (messages,
/// slice ends, rebalances, stop, timers) and executes the actions it returns.
public actor SliceDispatcher {
    public typealias Ticket = SliceDispatcherState.Ticket

    private struct Work {
        var message: KafkaMessage
        var decoded: Result<JobEnvelope, PoisonReason>
        var stop = StopSignal()
        var task: Task<Void, Never>?
    }

    private var state: SliceDispatcherState
    private var work: [Ticket: Work] = [:]
    private let runner: SliceRunner
    private let logger: Logger
    /// This worker's id as bytes, as its continuations carry it in `baton-worker`.
    private let workerID: [UInt8]
    private var consumer: KafkaConsumer?
    private var releaseWaiters: [(partitions: Set<TopicPartition>, continuation: CheckedContinuation<Void, Never>)] = []
    private var drainWaiters: [CheckedContinuation<SliceDispatcherState.Drain, Never>] = []
    private let commitRequests: AsyncStream<Void>.Continuation
    private let commitSignals: AsyncStream<Void>
    private let failures: AsyncStream<String>.Continuation
    /// Reports once when the producer failed for good: the worker must stop.
    public nonisolated let producerFailures: AsyncStream<String>

    public init(runner: SliceRunner, concurrency: Int, logger: Logger) {
        self.runner = runner
        self.logger = logger
        self.workerID = Array(runner.env.records.workerID.utf8)
        self.state = SliceDispatcherState(concurrency: concurrency)
        (commitSignals, commitRequests) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (producerFailures, failures) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func attach(_ consumer: KafkaConsumer) {
        self.consumer = consumer
    }

    public var inFlight: Int { state.inFlight }

    /// The state machine as it stands (for diagnostics and tests).
    public var snapshot: SliceDispatcherState { state }

    // MARK: Events in

    /// A fetched message, already decoded (off the actor).
    public func admit(_ message: KafkaMessage, decoded: Result<JobEnvelope, PoisonReason>) {
        let job: SliceDispatcherState.JobRef? = switch decoded {
        case .success(let envelope): SliceDispatcherState.JobRef(key: Self.lineageKey(envelope, message), slices: envelope.slices)
        case .failure: nil
        }
        let notBefore = (try? decoded.get())?.notBefore
        let (ticket, actions) = state.admit(
            partition: message.topicPartition, offset: message.offset, job: job, notBefore: notBefore, now: Date(),
            timestamp: message.timestamp, producedHere: message.header(JobHeaders.worker).map { $0 == workerID } ?? false
        )
        if let ticket { work[ticket] = Work(message: message, decoded: decoded) }
        execute(actions)
    }

    /// Partitions were assigned. Their messages start once each partition's backlog has
    /// been read (``caughtUp(_:)``), or after `catchUpLimit` at the latest.
    public func assign(_ partitions: [TopicPartition], catchUpLimit: Duration = .seconds(3)) {
        execute(state.assigned(partitions, readingBacklog: true))
        Task { [weak self] in
            try? await Task.sleep(for: catchUpLimit)
            for partition in partitions { await self?.caughtUp(partition) }
        }
    }

    /// The consumer reached the end of `partition` (its backlog is admitted).
    public func caughtUp(_ partition: TopicPartition) {
        execute(state.caughtUp(partition))
    }

    /// Partitions are leaving this worker: their slices hand their jobs on (for up to
    /// `grace`), what is done is committed, and the partitions are forgotten.
    public func revoke(_ partitions: [TopicPartition], within grace: Duration) async {
        let leaving = Set(partitions)
        await withCheckedContinuation { continuation in
            releaseWaiters.append((leaving, continuation))
            execute(state.revoked(partitions))
            Task { [weak self] in
                try? await Task.sleep(for: grace)
                await self?.revokeTimedOut(partitions)
            }
        }
    }

    private func revokeTimedOut(_ partitions: [TopicPartition]) {
        let actions = state.revokeTimedOut(partitions)
        if actions.contains(where: { if case .cancel = $0 { true } else { false } }) {
            logger.warning("slices did not hand off in time; their messages will be redelivered to the next owner", metadata: [
                "partitions": "\(partitions.map(\.description))",
            ])
        }
        execute(actions)
    }

    /// Birst or S3 is unusable for every job: stop fetching until it recovers.
    public func environmentFailed() {
        execute(state.environmentFailed())
    }

    public func environmentRecovered() {
        execute(state.environmentRecovered())
    }

    /// Partitions already owned by someone else: their slices are cut off and produce
    /// nothing more; nothing is committed for them.
    public func lose(_ partitions: [TopicPartition]) {
        execute(state.lost(partitions))
    }

    /// Shutdown (or the end after a producer failure): take nothing new, hand every job
    /// on (for up to `grace`), commit what is done. Returns why the dispatcher drained.
    public func shutdown(within grace: Duration) async -> SliceDispatcherState.Drain {
        let drain = await withCheckedContinuation { continuation in
            if case .stopped(let drain) = state.lifecycle { return continuation.resume(returning: drain) }
            drainWaiters.append(continuation)
            execute(state.stopRequested())
            Task { [weak self] in
                try? await Task.sleep(for: grace)
                await self?.drainTimedOut()
            }
        }
        commitRequests.finish()
        failures.finish()
        await commitPending()
        return drain
    }

    private func drainTimedOut() {
        let actions = state.drainTimedOut()
        if !actions.isEmpty {
            logger.warning("slices did not hand off in time; their messages will be redelivered", metadata: ["slices": "\(state.slotsInUse)"])
        }
        execute(actions)
    }

    private func ended(_ ticket: Ticket, _ end: SliceDispatcherState.SliceEnd) {
        work[ticket] = nil
        execute(state.sliceEnded(ticket, end))
    }

    private func delayElapsed(_ ticket: Ticket) {
        execute(state.delayElapsed(ticket))
    }

    // MARK: Actions out

    private func execute(_ actions: [SliceDispatcherState.Action]) {
        for action in actions {
            switch action {
            case .start(let ticket):
                guard let item = work[ticket] else { continue }
                let redelivered = state.isPossibleRedelivery(ticket)
                let strayOfFinishedJob: Bool = if case .failure = item.decoded, let key = item.message.key {
                    state.isFinishedJob(String(decoding: key, as: UTF8.self))
                } else { false }
                work[ticket]?.task = Task { [runner, logger] in
                    let end = await Self.runSlice(item, redelivered: redelivered, strayOfFinishedJob: strayOfFinishedJob, runner: runner, logger: logger)
                    self.ended(ticket, end)
                }
            case .skip(let ticket, let newest):
                if let item = work.removeValue(forKey: ticket), case .success(let job) = item.decoded {
                    var logger = logger
                    logger[metadataKey: "jobId"] = "\(job.jobId)"
                    logger.notice("stale or duplicate copy of a job skipped", metadata: [
                        "partition": "\(item.message.partition)", "offset": "\(item.message.offset)",
                        "slices": "\(job.slices)", "newestSlices": "\(newest == Int.max ? "finished" : String(newest))",
                    ])
                }
            case .wake(let ticket, let date):
                guard let item = work[ticket], case .success(let job) = item.decoded else { continue }
                work[ticket]?.task = Task { [runner, logger] in
                    if let end = await Self.waitOut(item, job: job, until: date, runner: runner, logger: logger) {
                        self.ended(ticket, end)
                    } else {
                        self.delayElapsed(ticket)
                    }
                }
            case .stop(let tickets, let reason):
                if !tickets.isEmpty {
                    logger.info("asking slices to hand their jobs on", metadata: ["reason": "\(reason.rawValue)", "slices": "\(tickets.count)"])
                }
                for ticket in tickets { work[ticket]?.stop.fire(reason) }
            case .cancel(let tickets):
                for ticket in tickets { work[ticket]?.task?.cancel() }
            case .supersede(let ticket):
                if let item = work[ticket] {
                    var logger = logger
                    if case .success(let job) = item.decoded { logger[metadataKey: "jobId"] = "\(job.jobId)" }
                    logger.notice("a newer copy of the job arrived; cutting off the slice of the older one", metadata: [
                        "partition": "\(item.message.partition)", "offset": "\(item.message.offset)",
                    ])
                    item.task?.cancel()
                }
            case .drop(let tickets):
                for ticket in tickets { work[ticket] = nil }
            case .commit:
                commitRequests.yield()
            case .release(let partitions, let offsets):
                Task { await self.release(partitions, offsets: offsets) }
            case .pauseFetching:
                if let consumer { consumer.pause(Array(consumer.assignment())) }
            case .resumeFetching:
                if let consumer { consumer.resume(Array(consumer.assignment())) }
            case .drained(let drain):
                for waiter in drainWaiters { waiter.resume(returning: drain) }
                drainWaiters = []
            }
        }
        reportProducerFailure()
        WorkerMetrics.dispatcher(state)
    }

    /// Samples the consumer's lag per partition into the metrics (every few seconds).
    public func recordConsumerLag() async {
        guard let consumer else { return }
        let lag = await consumer.lag()
        WorkerMetrics.recordConsumerLag(Dictionary(lag.map { ($0.key.partition, $0.value) }) { a, _ in a })
    }

    private var producerFailureReported = false

    /// Tells the worker (once) that the producer failed: it stops consuming and exits.
    private func reportProducerFailure() {
        guard !producerFailureReported else { return }
        switch state.lifecycle {
        case .draining(.producerFailed(let reason)), .stopped(.producerFailed(let reason)):
            producerFailureReported = true
            failures.yield(reason)
            failures.finish()
        default:
            break
        }
    }

    private func release(_ partitions: [TopicPartition], offsets: [TopicPartition: Int64]) async {
        if !offsets.isEmpty, let consumer {
            do {
                try await consumer.commit(offsets)
            } catch {
                logger.warning("offset commit on revoke failed; the next owner redoes those messages", metadata: ["error": "\(error)"])
            }
        }
        let released = Set(partitions)
        var still: [(partitions: Set<TopicPartition>, continuation: CheckedContinuation<Void, Never>)] = []
        for var waiter in releaseWaiters {
            waiter.partitions.subtract(released)
            if waiter.partitions.isEmpty { waiter.continuation.resume() } else { still.append(waiter) }
        }
        releaseWaiters = still
    }

    // MARK: Commits

    /// Commits, one at a time, whenever the watermark moved; ends after shutdown.
    public func runCommits() async {
        for await _ in commitSignals { await commitPending() }
    }

    /// Commits every partition whose watermark moved. Errors (a rebalance racing the
    /// commit) are logged; the next commit carries the same offsets.
    private func commitPending() async {
        guard let consumer else { return }
        let pending = state.pendingCommits()
        guard !pending.isEmpty else { return }
        do {
            try await consumer.commit(pending)
            state.committed(pending)
        } catch {
            logger.warning("offset commit failed; will retry", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Slices

    /// Runs one slice; how it ended decides what may be committed.
    private static func runSlice(
        _ item: Work, redelivered: Bool, strayOfFinishedJob: Bool, runner: SliceRunner, logger: Logger
    ) async -> SliceDispatcherState.SliceEnd {
        do {
            return try await runner.process(
                item.message, decoded: item.decoded, stop: item.stop, mayBeRedelivered: redelivered, keyOfFinishedJob: strayOfFinishedJob)
        } catch {
            return abandoned(item, error: error, logger: logger)
        }
    }

    /// A job backing off: waits aside until its time (nil: then it takes a slot like any
    /// other). A stop while waiting hands it straight back, unchanged.
    private static func waitOut(_ item: Work, job: JobEnvelope, until date: Date, runner: SliceRunner, logger: Logger) async -> SliceDispatcherState.SliceEnd? {
        let delay = max(date.timeIntervalSinceNow, 0)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
            group.addTask { await item.stop.wait() }
            await group.next()
            group.cancelAll()
        }
        if Task.isCancelled { return .abandoned }
        guard let reason = item.stop.reason else { return nil }
        do {
            try await runner.handBack(item.message, job: job, reason: reason == .shutdown ? .shutdown : .rebalance)
            return .handedBack
        } catch {
            return abandoned(item, error: error, logger: logger)
        }
    }

    private static func abandoned(_ item: Work, error: any Error, logger: Logger) -> SliceDispatcherState.SliceEnd {
        let metadata: Logger.Metadata = [
            "partition": "\(item.message.partition)", "offset": "\(item.message.offset)", "error": "\(error)",
        ]
        if let failure = error as? ProducerFailure {
            logger.critical("the producer failed for good; stopping without committing past this message", metadata: metadata)
            return .producerFailed(failure.description)
        }
        logger.warning("slice ended before its outputs were acknowledged; the message will be redelivered", metadata: metadata)
        return .abandoned
    }

    /// `jobId`, and the replay count when an operator replayed the job (a new lineage).
    static func lineageKey(_ job: JobEnvelope, _ message: KafkaMessage) -> String {
        guard let replays = message.header(JobHeaders.replays), !replays.isEmpty else { return job.jobId }
        return "\(job.jobId)#\(String(decoding: replays, as: UTF8.self))"
    }
}
