import Foundation
import Kafka
import Logging

/// Carries out ``SliceDispatcherState``'s decisions for the worker's loop: runs slices
/// and waits as tasks that report back as ``WorkerEvent``s, stops and cancels them,
/// commits one batch at a time, pauses fetching, and lets a rebalance go on once its
/// partitions are released. Only the loop calls it, one event at a time; every decision
/// is the state machine's.
final class SliceDispatcher {
    typealias Ticket = SliceDispatcherState.Ticket

    private struct Work {
        var message: KafkaMessage
        /// Behind a reference: the envelope is about 600 bytes, and inline it made every
        /// bucket of `work` (32,768 for 20,000 jobs) and every slice task's captured copy
        /// that large (issue 10).
        private let box: Decoded
        var stop = StopSignal()
        var task: Task<Void, Never>?

        init(message: KafkaMessage, decoded: Result<JobEnvelope, PoisonReason>) {
            self.message = message
            self.box = Decoded(value: decoded)
        }

        var decoded: Result<JobEnvelope, PoisonReason> { box.value }
    }

    private final class Decoded: Sendable {
        let value: Result<JobEnvelope, PoisonReason>
        init(value: Result<JobEnvelope, PoisonReason>) { self.value = value }
    }

    private(set) var state: SliceDispatcherState
    /// Why draining ended, once it has.
    private(set) var drained: SliceDispatcherState.Drain?
    private var work: [Ticket: Work] = [:]
    private let runner: SliceRunner
    private let consumer: KafkaConsumer
    private let inbox: AsyncStream<WorkerEvent>.Continuation
    private let handoffGrace: Duration
    private let logger: Logger
    /// This worker's id as bytes, as its continuations carry it in `baton-worker`.
    private let workerID: [UInt8]
    /// Revocations waiting for their partitions to be released.
    private var revocations: [(partitions: Set<TopicPartition>, done: CheckedContinuation<Void, Never>)] = []
    private var commit: Task<Void, Never>?
    private var timers: [Task<Void, Never>] = []
    private var drainTimerStarted = false
    /// The gauges as last recorded: unchanged ones are not recorded again.
    private var recordedGauges: WorkerMetrics.DispatcherGauges?

    init(runner: SliceRunner, consumer: KafkaConsumer, inbox: AsyncStream<WorkerEvent>.Continuation, concurrency: Int, handoffGrace: Duration, logger: Logger) {
        self.runner = runner
        self.consumer = consumer
        self.inbox = inbox
        self.handoffGrace = handoffGrace
        self.logger = logger
        self.workerID = Array(runner.env.records.workerID.utf8)
        self.state = SliceDispatcherState(concurrency: concurrency)
    }

    /// One event in, its actions carried out.
    func handle(_ event: WorkerEvent) {
        switch event {
        case .fetched(.message(let message), let taken):
            admit(message)
            taken.resume()
        case .fetched(.endOfPartition(let partition, _), let taken):
            execute(state.caughtUp(partition))
            taken.resume()
        case .fetchEnded, .stop:
            execute(state.stopRequested())
        case .rebalance(let rebalance, let done):
            self.rebalance(rebalance, done: done)
        case .released(let partitions):
            released(partitions)
        case .revokeTimedOut(let partitions):
            let actions = state.revokeTimedOut(partitions)
            if actions.contains(where: { if case .cancel = $0 { true } else { false } }) {
                logger.warning("slices did not hand off in time; their messages will be redelivered to the next owner", metadata: [
                    "partitions": "\(partitions.map(\.description))",
                ])
            }
            execute(actions)
        case .catchUpElapsed(let partitions):
            for partition in partitions { execute(state.caughtUp(partition)) }
        case .sliceEnded(let ticket, let end):
            work[ticket] = nil
            execute(state.sliceEnded(ticket, end))
        case .delayElapsed(let ticket):
            execute(state.delayElapsed(ticket))
        case .publishIntent(let ticket, let slices, let recorded):
            state.publishIntent(ticket, slices: slices)
            recorded.resume()
        case .committed(let offsets, let succeeded):
            commit = nil
            if succeeded {
                state.committed(offsets)
                // The watermark moved while this commit was under way.
                commitPending()
            }
        case .health(let healthy):
            execute(healthy ? state.environmentRecovered() : state.environmentFailed())
        case .drainTimedOut:
            let actions = state.drainTimedOut()
            if !actions.isEmpty {
                logger.warning("slices did not hand off in time; their messages will be redelivered", metadata: ["slices": "\(state.slotsInUse)"])
            }
            execute(actions)
        }
        if case .draining = state.lifecycle, !drainTimerStarted {
            drainTimerStarted = true
            after(handoffGrace, .drainTimedOut)
        }
        let gauges = WorkerMetrics.DispatcherGauges(state)
        WorkerMetrics.dispatcher(gauges, previous: recordedGauges)
        recordedGauges = gauges
    }

    /// An event that arrived after the loop ended: whoever waits on it goes on.
    func discard(_ event: WorkerEvent) {
        switch event {
        case .fetched(_, let taken): taken.resume()
        case .rebalance(_, let done): done.resume()
        case .publishIntent(_, _, let recorded): recorded.resume()
        default: break
        }
    }

    /// After draining: waits for a commit under way, commits what is still pending, and
    /// stops the timers.
    func finish() async {
        await commit?.value
        for timer in timers { timer.cancel() }
        for revocation in revocations { revocation.done.resume() }
        revocations = []
        let pending = state.pendingCommits()
        guard !pending.isEmpty else { return }
        do {
            try await consumer.commit(pending)
            state.committed(pending)
        } catch {
            logger.warning("offset commit failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Events in

    private func admit(_ message: KafkaMessage) {
        let decoded = runner.read(message)
        let job: SliceDispatcherState.JobRef? = switch decoded {
        case .success(let envelope): SliceDispatcherState.JobRef(key: Self.lineageKey(envelope, message), slices: envelope.slices)
        case .failure: nil
        }
        let (ticket, actions) = state.admit(
            partition: message.topicPartition, offset: message.offset, job: job,
            notBefore: (try? decoded.get()).flatMap { LoopGuard(runner.env.worker).notBeforeToWaitFor($0) },
            now: runner.env.clock.now, timestamp: message.timestamp,
            producedHere: message.header(JobHeaders.worker).map { $0 == workerID } ?? false
        )
        if let ticket { work[ticket] = Work(message: message, decoded: decoded) }
        execute(actions)
    }

    private func rebalance(_ event: RebalanceEvent, done: CheckedContinuation<Void, Never>) {
        switch event {
        case .assigned(let partitions):
            logger.info("partitions assigned", metadata: ["partitions": "\(partitions.map(\.description))"])
            execute(state.assigned(partitions, now: runner.env.clock.now, readingBacklog: true))
            // Messages start once each partition's backlog is read, or after 3 s at the latest.
            after(.seconds(3), .catchUpElapsed(partitions))
            done.resume()
        case .revoked(let partitions):
            logger.info("partitions revoked", metadata: ["partitions": "\(partitions.map(\.description))"])
            revocations.append((Set(partitions), done))
            execute(state.revoked(partitions))
            after(handoffGrace, .revokeTimedOut(partitions))
        case .lost(let partitions):
            logger.warning("partitions lost", metadata: ["partitions": "\(partitions.map(\.description))"])
            execute(state.lost(partitions))
            done.resume()
        }
    }

    private func released(_ partitions: [TopicPartition]) {
        let released = Set(partitions)
        var still: [(partitions: Set<TopicPartition>, done: CheckedContinuation<Void, Never>)] = []
        for var revocation in revocations {
            revocation.partitions.subtract(released)
            if revocation.partitions.isEmpty { revocation.done.resume() } else { still.append(revocation) }
        }
        revocations = still
    }

    // MARK: Actions out

    private func execute(_ actions: [SliceDispatcherState.Action]) {
        for action in actions {
            switch action {
            case .start(let ticket):
                guard let item = work[ticket] else { continue }
                let redelivered = state.isPossibleRedelivery(ticket)
                let strayOfFinishedJob: Bool = if case .failure = item.decoded, let key = item.message.key.map({ String(decoding: $0, as: UTF8.self) }) {
                    state.isFinishedJob(key) || state.isActiveJob(key)
                } else { false }
                work[ticket]?.task = Self.slice(
                    item, ticket: ticket, redelivered: redelivered, strayOfFinishedJob: strayOfFinishedJob, runner: runner, logger: logger, inbox: inbox)
            case .skip(let ticket, let newest):
                if let item = work.removeValue(forKey: ticket), case .success(let job) = item.decoded {
                    // The copy's own slice and stage, named as on every per-slice line.
                    Self.jobLogger(logger, item.message, job, slice: job.slices).notice("stale or duplicate copy of a job skipped", metadata: [
                        "newestSlices": "\(newest == Int.max ? "finished" : String(newest))"
                    ])
                }
            case .wake(let ticket, let date):
                guard let item = work[ticket], case .success(let job) = item.decoded else { continue }
                work[ticket]?.task = Self.wait(item, ticket: ticket, job: job, until: date, runner: runner, logger: logger, inbox: inbox)
            case .stop(let tickets, let reason):
                if !tickets.isEmpty {
                    logger.info("asking slices to hand their jobs on", metadata: ["reason": "\(reason.rawValue)", "slices": "\(tickets.count)"])
                }
                for ticket in tickets { work[ticket]?.stop.fire(reason) }
            case .cancel(let tickets):
                for ticket in tickets { work[ticket]?.task?.cancel() }
            case .supersede(let ticket):
                if let item = work[ticket] {
                    Self.itemLogger(logger, item).notice("a newer copy of the job arrived; cutting off the slice of the older one")
                    item.task?.cancel()
                }
            case .drop(let tickets):
                for ticket in tickets { work[ticket] = nil }
            case .commit:
                commitPending()
            case .release(let partitions, let offsets):
                Task { [consumer, logger, inbox] in
                    if !offsets.isEmpty {
                        do {
                            try await consumer.commit(offsets)
                        } catch {
                            logger.warning("offset commit on revoke failed; the next owner redoes those messages", metadata: ["error": "\(error)"])
                        }
                    }
                    inbox.yield(.released(partitions))
                }
            case .pauseFetching:
                consumer.pause(Array(consumer.assignment()))
            case .resumeFetching:
                consumer.resume(Array(consumer.assignment()))
            case .drained(let drain):
                drained = drain
            }
        }
    }

    /// Commits every partition whose watermark moved, one commit at a time. A failure (a
    /// rebalance racing the commit) is logged; the next move commits the same offsets.
    private func commitPending() {
        guard commit == nil else { return }
        let pending = state.pendingCommits()
        guard !pending.isEmpty else { return }
        commit = Task { [consumer, logger, inbox] in
            do {
                try await consumer.commit(pending)
                inbox.yield(.committed(pending, succeeded: true))
            } catch {
                logger.warning("offset commit failed; will retry", metadata: ["error": "\(error)"])
                inbox.yield(.committed(pending, succeeded: false))
            }
        }
    }

    /// Posts `event` into the loop after `delay`.
    private func after(_ delay: Duration, _ event: WorkerEvent) {
        timers.append(Task { [inbox] in
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            inbox.yield(event)
        })
    }

    // MARK: Slices

    /// A slice as a task that reports its end into the loop.
    private static func slice(
        _ item: Work, ticket: Ticket, redelivered: Bool, strayOfFinishedJob: Bool, runner: SliceRunner, logger: Logger,
        inbox: AsyncStream<WorkerEvent>.Continuation
    ) -> Task<Void, Never> {
        // The state learns of a publish intent before it is produced (``SliceDispatcherState/publishIntent(_:slices:)``).
        let announce: @Sendable (Int) async -> Void = { slices in
            await withCheckedContinuation { recorded in
                if case .terminated = inbox.yield(.publishIntent(ticket, slices: slices, recorded: recorded)) { recorded.resume() }
            }
        }
        return Task {
            let end = await runSlice(
                item, redelivered: redelivered, strayOfFinishedJob: strayOfFinishedJob, runner: runner, logger: logger, announce: announce)
            inbox.yield(.sliceEnded(ticket, end))
        }
    }

    /// A job waiting out its `notBefore` as a task that reports into the loop when its
    /// time has come, or how it ended when a stop handed it back meanwhile.
    private static func wait(
        _ item: Work, ticket: Ticket, job: JobEnvelope, until date: Date, runner: SliceRunner, logger: Logger,
        inbox: AsyncStream<WorkerEvent>.Continuation
    ) -> Task<Void, Never> {
        Task {
            if let end = await waitOut(item, job: job, until: date, runner: runner, logger: logger) {
                inbox.yield(.sliceEnded(ticket, end))
            } else {
                inbox.yield(.delayElapsed(ticket))
            }
        }
    }

    /// Runs one slice; how it ended decides what may be committed.
    private static func runSlice(
        _ item: Work, redelivered: Bool, strayOfFinishedJob: Bool, runner: SliceRunner, logger: Logger,
        announce: @escaping @Sendable (Int) async -> Void
    ) async -> SliceDispatcherState.SliceEnd {
        do {
            return try await runner.process(
                item.message, decoded: item.decoded, stop: item.stop, mayBeRedelivered: redelivered, keyOfFinishedJob: strayOfFinishedJob,
                announcePublishIntent: announce)
        } catch {
            return abandoned(item, error: error, logger: logger)
        }
    }

    /// A job backing off: waits aside until its time (nil: then it takes a slot like any
    /// other). A stop while waiting hands it straight back, unchanged.
    private static func waitOut(_ item: Work, job: JobEnvelope, until date: Date, runner: SliceRunner, logger: Logger) async -> SliceDispatcherState.SliceEnd? {
        let delay = max(date.timeIntervalSince(runner.env.clock.now), 0)
        await PauseTimer.shared.sleep(until: .now + .milliseconds(Int64(delay * 1000)), stop: item.stop)
        if Task.isCancelled { return .abandoned }
        guard let reason = item.stop.reason else { return nil }
        do {
            try await runner.handBack(item.message, job: job, reason: HandoffReason(reason))
            return .handedBack
        } catch {
            return abandoned(item, error: error, logger: logger)
        }
    }

    // Not inlined into the slice's task body, whose frame a waiting slice keeps (issue 10).
    @inline(never)
    private static func abandoned(_ item: Work, error: any Error, logger: Logger) -> SliceDispatcherState.SliceEnd {
        let logger = itemLogger(logger, item)
        let metadata: Logger.Metadata = ["error": "\(error)"]
        if let failure = error as? ProducerFailure {
            logger.critical("the producer failed for good; stopping without committing past this message", metadata: metadata)
            return .producerFailed(failure.description)
        }
        logger.warning("slice ended before its outputs were acknowledged; the message will be redelivered", metadata: metadata)
        return .abandoned
    }

    /// `logger` with what every per-slice line carries (``SliceRunner``): `partition`,
    /// `offset`, `jobId`, `stage`, and `slice` when the line knows it: for a copy that never
    /// runs, its count of slices, as for a job handed back before its slice started (a copy
    /// cut off may or may not have started its slice, which counts one more).
    static func jobLogger(_ logger: Logger, _ message: KafkaMessage, _ job: JobEnvelope, slice: Int? = nil) -> Logger {
        var logger = logger
        logger[metadataKey: "partition"] = "\(message.partition)"
        logger[metadataKey: "offset"] = "\(message.offset)"
        logger[metadataKey: "jobId"] = "\(job.jobId)"
        logger[metadataKey: "stage"] = "\(job.stage.rawValue)"
        if let slice { logger[metadataKey: "slice"] = "\(slice)" }
        return logger
    }

    /// `logger` with the message's `partition` and `offset`, and `jobId` and `stage` when
    /// the message decoded (``jobLogger(_:_:_:slice:)``).
    private static func itemLogger(_ logger: Logger, _ item: Work) -> Logger {
        if case .success(let job) = item.decoded { return jobLogger(logger, item.message, job) }
        var logger = logger
        logger[metadataKey: "partition"] = "\(item.message.partition)"
        logger[metadataKey: "offset"] = "\(item.message.offset)"
        return logger
    }

    /// `jobId`, and the replay count when an operator replayed the job (a new lineage).
    static func lineageKey(_ job: JobEnvelope, _ message: KafkaMessage) -> String {
        guard let replays = message.header(JobHeaders.replays), !replays.isEmpty else { return job.jobId }
        return "\(job.jobId)#\(String(decoding: replays, as: UTF8.self))"
    }
}
