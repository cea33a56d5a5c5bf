import Foundation
import Kafka
import Logging

/// Runs one message: reads the job, applies the loop guards, runs stages while the
/// slice's budget lasts, and produces what comes next (continuation, dead letter,
/// outcome). Returns once everything it produced is acknowledged: `.handedOn` when the
/// job continues in a new message, `.finished` when it ended here. Throws only when
/// what it produced was not acknowledged (cancelled, or ``ProducerFailure``), never for
/// anything the message contains. Stale and duplicate copies of a job never get here
/// (``JobLineage``).
public struct SliceRunner: Sendable {
    public var env: SliceEnvironment

    public init(env: SliceEnvironment) {
        self.env = env
    }

    /// Reads a fetched message's job: its envelope, or why it is unreadable. The
    /// dispatcher admits the message either way (it holds its partition's watermark);
    /// ``process(_:decoded:stop:mayBeRedelivered:keyOfFinishedJob:)`` dead-letters an
    /// unreadable one.
    public func read(_ message: KafkaMessage) -> Result<JobEnvelope, PoisonReason> {
        JobEnvelopeCodec.decode(key: message.key, value: message.value)
    }

    /// Runs a slice of `input`, whose value ``read(_:)`` decoded when it was admitted.
    ///
    /// - Parameter mayBeRedelivered: the message may have been run before with effects its
    ///   envelope does not record (``SliceDispatcherState/isPossibleRedelivery(_:)``).
    /// - Parameter keyOfFinishedJob: the message's key names a job this worker saw end, or
    ///   one whose copy is still active here: if
    ///   the message is unreadable it is dead-lettered, but records no outcome for that job
    ///   (a stray must not turn a completed job into a dead-lettered one).
    /// - Parameter announcePublishIntent: called with the intent's `slices` before the slice
    ///   produces a publish intent (``SliceContext/recordPublishIntent``), so the dispatcher
    ///   knows the record as this slice's own when it fetches it.
    public func process(
        _ input: KafkaMessage, decoded: Result<JobEnvelope, PoisonReason>, stop: StopSignal, mayBeRedelivered: Bool = true,
        keyOfFinishedJob: Bool = false, announcePublishIntent: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> SliceDispatcherState.SliceEnd {
        var logger = env.logger
        logger[metadataKey: "partition"] = "\(input.partition)"
        logger[metadataKey: "offset"] = "\(input.offset)"
        switch decoded {
        case .failure(let poison):
            try await deadLetterPoison(input, reason: poison.message, recordOutcome: !keyOfFinishedJob, mayBeRedelivered: mayBeRedelivered, logger: logger)
            return .finished
        case .success(let job):
            return try await process(job, input: input, stop: stop, mayBeRedelivered: mayBeRedelivered, announcePublishIntent: announcePublishIntent, logger: logger)
        }
    }

    /// A readable job's slice. Not inlined into the caller, whose frame then held the poison
    /// path's values too: a waiting slice keeps every async frame on its path for as long as
    /// it waits, and `process`'s was 3 KiB of each waiting job (issue 10).
    @inline(never)
    private func process(
        _ job: JobEnvelope, input: KafkaMessage, stop: StopSignal, mayBeRedelivered: Bool,
        announcePublishIntent: @escaping @Sendable (Int) async -> Void, logger: consuming Logger
    ) async throws -> SliceDispatcherState.SliceEnd {
        var job = job
        logger[metadataKey: "jobId"] = "\(job.jobId)"
        logger[metadataKey: "stage"] = "\(job.stage.rawValue)"
        if job.result == nil, let (kind, reason) = LoopGuard(env.worker).violation(job, now: env.clock.now) {
            return try await endByLoopGuard(&job, input: input, kind: kind, reason: reason, mayBeRedelivered: mayBeRedelivered, logger: logger)
        }
        // Metrics: slices by stage at the start, and how they ended.
        let metricsStage = job.stage, metricsStarted = ContinuousClock.now
        WorkerMetrics.sliceStarted(stage: metricsStage)
        do {
            let end = try await runSlice(
                &job, input: input, stop: stop, mayBeRedelivered: mayBeRedelivered, announcePublishIntent: announcePublishIntent, logger: logger)
            WorkerMetrics.sliceEnded(stage: metricsStage, result: WorkerMetrics.result(end), started: metricsStarted)
            return end
        } catch {
            WorkerMetrics.sliceEnded(stage: metricsStage, result: "abandoned", started: metricsStarted)
            throw error
        }
    }

    /// A job a loop guard stops: dead-lettered, then its outcome and notifications, with no
    /// slice of work. Not inlined into ``process(_:decoded:stop:mayBeRedelivered:keyOfFinishedJob:)``,
    /// whose frame every waiting slice keeps.
    @inline(never)
    private func endByLoopGuard(
        _ job: inout JobEnvelope, input: KafkaMessage, kind: DeadLetterKind, reason: String, mayBeRedelivered: Bool, logger: Logger
    ) async throws -> SliceDispatcherState.SliceEnd {
        try await deadLetter(&job, input: input, kind: kind, reason: reason, mayBeRedelivered: mayBeRedelivered, logger: logger)
        var context = SliceContext(slice: job.slices, budget: env.worker.sliceBudget, safetyMargin: .zero, stop: StopSignal(), logger: logger)
        context.mayBeRedelivered = mayBeRedelivered
        context.message = input
        return try await runStages(&job, input: input, context: context, afterDeadLetter: true)
    }

    /// Republishes a job that has not started its slice (it was waiting out its
    /// `notBefore`) because the worker is stopping or the partition is leaving.
    public func handBack(_ input: KafkaMessage, job: JobEnvelope, reason: HandoffReason) async throws {
        var logger = env.logger
        logger[metadataKey: "partition"] = "\(input.partition)"
        logger[metadataKey: "offset"] = "\(input.offset)"
        logger[metadataKey: "jobId"] = "\(job.jobId)"
        logger[metadataKey: "stage"] = "\(job.stage.rawValue)"
        logger[metadataKey: "slice"] = "\(job.slices)"
        var job = job
        try await handOff(&job, input: input, reason: reason, stop: StopSignal(), logger: logger)
    }

    private func runSlice(
        _ job: inout JobEnvelope, input: KafkaMessage, stop: StopSignal, mayBeRedelivered: Bool,
        announcePublishIntent: @escaping @Sendable (Int) async -> Void, logger: consuming Logger
    ) async throws -> SliceDispatcherState.SliceEnd {
        job.slices += 1
        job.firstSliceAt = job.firstSliceAt ?? env.clock.now
        job.notBefore = nil
        logger[metadataKey: "slice"] = "\(job.slices)"
        var context = SliceContext(slice: job.slices, budget: env.worker.sliceBudget, safetyMargin: env.worker.safetyMargin, stop: stop, logger: copy logger)
        context.mayBeRedelivered = mayBeRedelivered
        context.message = input
        context.recordPublishIntent = { [env, logger] intent in
            await announcePublishIntent(intent.slices)
            try await env.deliver([env.records.continuation(intent, input: input, reason: .publishIntent)], logger: logger)
            logger.info("publish intent recorded", metadata: ["intentSlices": "\(intent.slices)"])
        }
        Self.logStarted(job, logger: logger)
        if env.worker.benchmarkNoIO {
            // Benchmark only: the hop without the stage's Birst and S3 calls.
            return try await handOff(&job, input: input, reason: .budget, stop: stop, logger: context.logger)
        }
        return try await runStages(&job, input: input, context: context, afterDeadLetter: false)
    }

    /// Not inlined: the log call's temporaries would widen ``runSlice``'s async frame,
    /// which every waiting slice keeps (issue 10).
    @inline(never)
    private static func logStarted(_ job: JobEnvelope, logger: Logger) {
        logger.info("slice started", metadata: ["retriesLeft": "\(job.retriesLeft)", "uploadedBytes": "\(job.birst.uploadedBytes)"])
    }

    /// Runs stages while the slice lasts; every way a slice ends is decided here.
    ///
    /// - Parameter afterDeadLetter: the job was just dead-lettered: its outcome and
    ///   notifications are due now, not after a hand-off.
    private func runStages(
        _ job: inout JobEnvelope, input: KafkaMessage, context: SliceContext, afterDeadLetter: Bool
    ) async throws -> SliceDispatcherState.SliceEnd {
        var context = context
        var notifyNow = afterDeadLetter
        let stop = context.stop
        while true {
            // Set only when it changes (the caller's logger names the slice's first stage):
            // each change copies the metadata dictionary, about 600 bytes that every waiting
            // slice kept (issue 10).
            let stageName = Logger.MetadataValue.string(job.stage.rawValue)
            if context.logger[metadataKey: "stage"] != stageName { context.logger[metadataKey: "stage"] = stageName }
            if !notifyNow, context.shouldHandOff {
                return try await handOff(&job, input: input, reason: .budget, stop: stop, logger: context.logger)
            }
            let step: StageStep
            do {
                step = try await stage(job.stage).run(&job, context: context)
            } catch let failure as ProducerFailure {
                // A publish intent the producer could not deliver: nothing more can be.
                throw failure
            } catch {
                guard let end = try await recover(from: error, &job, input: input, context: context) else {
                    notifyNow = true
                    continue
                }
                return end
            }
            switch step {
            case .next:
                if job.lastError?.kind != TransientKind.notify.rawValue { job.lastError = nil }
                continue
            case .handOff(let reason):
                return try await handOff(&job, input: input, reason: reason, stop: stop, logger: context.logger)
            case .finished:
                context.logger.info("job finished", metadata: ["status": "\(job.result?.status.rawValue ?? "")", "slices": "\(job.slices)"])
                return .finished
            }
        }
    }

    /// How a slice goes on after its stage threw: the slice's end, or nil when the job was
    /// dead-lettered and its notifications are due now. Not inlined into ``runStages``,
    /// whose frame every waiting slice keeps (issue 10).
    @inline(never)
    private func recover(
        from error: any Error, _ job: inout JobEnvelope, input: KafkaMessage, context: SliceContext
    ) async throws -> SliceDispatcherState.SliceEnd? {
        let stop = context.stop
        switch SliceFailure.classify(error, previous: job.lastError, bucket: job.source.bucket) {
        case .outOfTime:
            return try await handOff(&job, input: input, reason: .budget, stop: stop, logger: context.logger)
        case .transient(let kind, let message):
            let count = job.lastError?.kind == kind.rawValue ? (job.lastError?.count ?? 1) + 1 : 1
            job.lastError = JobError(kind: kind.rawValue, message: message, count: count)
            let delay = env.backoff.delay(afterFailures: count)
            job.notBefore = env.clock.after(delay)
            context.logger.warning("transient error; backing off", metadata: [
                "error": "\(message)", "errorKind": "\(kind.rawValue)", "retryInSeconds": "\(Int(delay.seconds))",
            ])
            return try await handOff(&job, input: input, reason: .backoff, stop: stop, logger: context.logger)
        case .deadLetter(let kind, let reason):
            try await deadLetter(&job, input: input, kind: kind, reason: reason, mayBeRedelivered: context.mayBeRedelivered, logger: context.logger)
            return nil
        case .environment(let fault):
            // Not this job's fault: no retry spent, nothing dead-lettered; the
            // worker pauses until the fault clears.
            await env.health.failed(fault)
            job.lastError = JobError(kind: fault.kind, message: fault.description)
            job.notBefore = env.clock.after(env.worker.environmentRecheck)
            context.logger.warning("environment fault; handing the job on", metadata: [
                "errorKind": "\(fault.kind)", "retryInSeconds": "\(Int(env.worker.environmentRecheck.seconds))",
            ])
            return try await handOff(&job, input: input, reason: .environment, stop: stop, logger: context.logger)
        }
    }

    private func stage(_ stage: JobStage) -> any Stage {
        switch stage {
        case .upload: UploadStage(env: env)
        case .awaitUpload: AwaitUploadStage(env: env)
        case .publish: PublishStage(env: env)
        case .awaitPublish: AwaitPublishStage(env: env)
        case .notify: NotifyStage(env: env)
        }
    }

    // Not inlined (nor the dead-letter paths): a task keeps its deepest async frame for as
    // long as it lives, and these ending paths inlined into the slice's frame made every
    // waiting slice carry their locals (issue 10).
    @discardableResult
    @inline(never)
    /// `job` is inout only so that no call site copies it: the job is not changed.
    private func handOff(_ job: inout JobEnvelope, input: KafkaMessage, reason: HandoffReason, stop: StopSignal, logger: Logger) async throws -> SliceDispatcherState.SliceEnd {
        var next = job
        // A slice cut short by the worker itself (shutdown, rebalance) costs the job nothing.
        let reason = if reason == .budget, let stopped = stop.reason { HandoffReason(stopped) } else { reason }
        if reason.spendsRetry { next.retriesLeft -= 1 }
        try await env.deliver([env.records.continuation(next, input: input, reason: reason)], logger: logger)
        WorkerMetrics.handedOn(reason: reason)
        logger.info("handed on", metadata: [
            "handoff": "\(reason.rawValue)", "nextStage": "\(next.stage.rawValue)", "retriesLeft": "\(next.retriesLeft)",
            "uploadedBytes": "\(next.birst.uploadedBytes)",
        ])
        return .handedOn
    }

    @inline(never)
    /// Produces the dead letter (unless an earlier run of the message did) and sets the
    /// job's result; the outcome and notifications follow as the notify stage, in the
    /// same slice.
    private func deadLetter(
        _ job: inout JobEnvelope, input: KafkaMessage, kind: DeadLetterKind, reason: String, mayBeRedelivered: Bool, logger: Logger
    ) async throws {
        job.lastError = JobError(kind: kind.rawValue, message: reason)
        if await env.alreadyProduced(on: env.records.topics.deadLetters.name, by: input, mayBeRedelivered: mayBeRedelivered, logger: logger) {
            logger.notice("dead letter already produced by an earlier run of this message; not repeated", metadata: ["errorKind": "\(kind.rawValue)"])
        } else {
            try await env.deliver([env.records.deadLetter(job, input: input, kind: kind, reason: reason)], logger: logger)
            WorkerMetrics.deadLettered(kind: kind.rawValue)
            logger.error("dead-lettered", metadata: ["errorKind": "\(kind.rawValue)", "error": "\(reason)"])
        }
        job.result = JobResult(status: kind == .birstFailed ? .failed : .deadLettered, message: reason, errorKind: kind.rawValue, finishedAt: env.clock.now)
        job.stage = .notify
    }

    @inline(never)
    /// Dead-letters an unreadable message, and records an outcome for the job its key
    /// names; either is skipped when an earlier run of the message produced it.
    private func deadLetterPoison(_ input: KafkaMessage, reason: String, recordOutcome: Bool, mayBeRedelivered: Bool, logger: Logger) async throws {
        let topics = env.records.topics
        if await env.alreadyProduced(on: topics.deadLetters.name, by: input, mayBeRedelivered: mayBeRedelivered, logger: logger) {
            logger.notice("dead letter already produced by an earlier run of this message; not repeated", metadata: ["errorKind": "poison"])
        } else {
            let letter = env.records.poison(input, reason: reason)
            do {
                try await env.sink.send(letter)
            } catch let error as KafkaError where !error.isRetriable {
                // The broker refuses the message as it is (too large, most likely): keep as
                // much of it as fits, and say so, rather than block the partition on it.
                logger.warning("dead letter refused untouched; sending it truncated", metadata: ["error": "\(error)"])
                try await env.deliver([env.records.truncated(letter)], logger: logger)
            } catch {
                try await env.deliver([letter], logger: logger)
            }
            WorkerMetrics.deadLettered(kind: DeadLetterKind.poison.rawValue)
            logger.error("poison message dead-lettered", metadata: ["errorKind": "poison", "error": "\(reason)"])
        }
        if !recordOutcome {
            logger.notice("the unreadable message's key names a job that already ended here: no outcome recorded for it")
        } else if let key = input.key, key.count <= JobEnvelopeCodec.maxJobIdLength, let jobId = String(validating: key, as: UTF8.self), !jobId.isEmpty {
            if await env.alreadyProduced(on: topics.outcomes.name, by: input, mayBeRedelivered: mayBeRedelivered, logger: logger) {
                logger.notice("outcome already recorded by an earlier run of this message; not repeated")
            } else {
                let record = OutcomeRecord(poison: jobId, at: env.clock.now, message: reason, worker: env.records.workerID)
                try await env.deliver([env.records.outcome(record, input: input)], logger: logger)
                WorkerMetrics.jobEnded(outcome: JobResult.Status.deadLettered.rawValue, route: nil, seconds: nil)
            }
        }
    }
}
