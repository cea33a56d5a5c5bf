import Birst
import Foundation

/// Starts Birst's processing at most once per job.
///
/// Birst's API cannot tell whether a `publishData` whose answer was lost ran, nor give
/// its token (birst-api.md, Faults), so the stage never lets that doubt lead to a second
/// call:
/// - the load-status guard waits while the space is busy (with anything);
/// - before the call, the slice records its intent on the jobs topic
///   (`birst.publishRequestedAt`) and waits for the acknowledgement; a job that comes
///   back at this stage with an intent and no token may have started a publish;
/// - such a job, and one whose `publishData` answer is lost, never calls `publishData`
///   again: it waits until the space is `Available` (any publish it started has ended)
///   and ends `unconfirmed`.
struct PublishStage: Stage {
    var env: SliceEnvironment

    /// A record waiting this long for its acknowledgement means the broker is stalled:
    /// acknowledgements normally take milliseconds (`linger.ms` plus a round trip), and
    /// a second or so under heavy load.
    static let stalledProducer = Duration.seconds(2)

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        try await env.withSession(&job) { session, job in
            if let requested = job.birst.publishRequestedAt, job.birst.publishToken == nil,
                env.uncalledIntents.take(jobId: job.jobId, requestedAt: requested)
            {
                context.logger.notice("this worker sent the job's publish intent and never called publishData after it; publishing")
                job.birst.publishRequestedAt = nil
            }
            if job.birst.publishRequestedAt != nil, job.birst.publishToken == nil {
                context.logger.notice("an earlier slice may have called publishData without recording its answer; not publishing again")
                return try await settle(&job, session: session, context: context)
            }
            return try await publish(&job, session: session, context: context)
        }
    }

    private func publish(_ job: inout JobEnvelope, session: any BirstConnection, context: SliceContext) async throws -> StageStep {
        if let handOff = try await untilAvailable(&job, session: session, context: context, waiting: "space busy, waiting before publishing") {
            return handOff
        }
        // An intent sent to a broker that has stopped acknowledging may be stored after
        // this slice is cut off; its new owner then cannot know that publishData was never
        // called, and the job ends unconfirmed. So no intent while the producer is stalled.
        while let age = env.sink.oldestUnacknowledgedAge, age >= Self.stalledProducer {
            context.logger.notice("the broker is not acknowledging; the publish waits", metadata: ["oldestUnacknowledgedSeconds": "\(age.seconds)"])
            guard await context.pause(for: .seconds(1)) else { return .handOff(.budget) }
        }
        // The budget is soft: a publish starts only while the slice has time, and then runs
        // to its own timeout rather than being cut (a cut publish's fate is unknown).
        if context.shouldHandOff { return .handOff(.budget) }
        job.birst.publishRequestedAt = env.clock.now
        let intent = job
        // The intent carries this slice's number; what the slice hands on afterwards
        // carries one more, so a redelivery reads the intent as stale once that follows.
        job.slices += 1
        // Until this slice claims it right before the call, the intent stays recorded as
        // uncalled: if the slice is cut off and the job comes back to this worker, the
        // worker knows publishData was never called after it.
        let claim = env.uncalledIntents.record(jobId: intent.jobId, requestedAt: job.birst.publishRequestedAt!)
        do {
            try await context.recordPublishIntent(intent)
        } catch {
            job.birst.publishRequestedAt = nil
            throw error
        }
        // A slice cut off while it waited (its partition lost) calls nothing more: the
        // intent, if it reached the topic, is the new owner's to settle.
        try Task.checkCancellation()
        if context.isStopRequested {
            // A shutdown's grace may be shorter than the call: hand on without the intent.
            job.birst.publishRequestedAt = nil
            return .handOff(.budget)
        }
        // A later run of the intent in this worker may have taken it over meanwhile.
        guard claim.take() else {
            context.logger.notice("a later run of this job's publish intent took it over; this slice calls nothing")
            throw CancellationError()
        }
        let token: String
        do {
            token = try await session.publishData(
                spaceID: job.target.spaceId, subgroups: job.target.subgroups, date: env.clock.now,
                deadline: .after(env.birstSettings.publishTimeout))
        } catch {
            guard error.answerLost else {
                // Birst answered that the call failed: the job publishes afresh after the back-off.
                job.birst.publishRequestedAt = nil
                throw error
            }
            context.logger.warning("publishData's answer was lost; the job will not publish again", metadata: ["error": "\(error)"])
            job.lastError = JobError(kind: TransientKind.publishUnknown.rawValue, message: "publishData's answer was lost: \(error)")
            // A publish that ran makes the space busy: look only after a poll interval.
            guard await context.pause(for: env.birstSettings.pollInterval) else {
                job.notBefore = context.isStopRequested ? nil : env.clock.after(env.birstSettings.pollInterval)
                return .handOff(.budget)
            }
            return try await settle(&job, session: session, context: context)
        }
        job.birst.publishToken = token
        job.birst.publishStartedAt = env.clock.now
        job.stage = .awaitPublish
        context.logger.info("publish started")
        // A publish must never start twice: record its token before anything else.
        return .handOff(.checkpoint)
    }

    /// Polls `getLoadStatus` every poll interval until the space is `Available` (nil), or
    /// returns the hand-off when the slice must end first (the job comes back after one
    /// more interval, or at once after a stop).
    private func untilAvailable(
        _ job: inout JobEnvelope, session: any BirstConnection, context: SliceContext, waiting: String
    ) async throws -> StageStep? {
        while true {
            let status = try await session.getLoadStatus(spaceID: job.target.spaceId, deadline: context.callDeadline(env.birstSettings))
            if status.isAvailable { return nil }
            context.logger.info("\(waiting)", metadata: ["loadStatus": "\(status)"])
            guard await context.pause(for: env.birstSettings.pollInterval) else {
                job.notBefore = context.isStopRequested ? nil : env.clock.after(env.birstSettings.pollInterval)
                return .handOff(.budget)
            }
        }
    }

    /// A publish of unknown fate: waits (across slices) until the space is `Available`,
    /// then ends the job `unconfirmed`, without calling `publishData`.
    private func settle(_ job: inout JobEnvelope, session: any BirstConnection, context: SliceContext) async throws -> StageStep {
        if let handOff = try await untilAvailable(
            &job, session: session, context: context, waiting: "space busy after a publish of unknown fate; waiting for it to end")
        {
            return handOff
        }
        let requested = job.birst.publishRequestedAt.map { " at \(Timestamp.format($0))" } ?? ""
        let message = """
            publishData may have been called\(requested) and its answer was never recorded (lost past its deadline, or \
            the worker was cut off first); the space is idle again, and Birst's API cannot say whether a publish ran. \
            Baton did not publish a second time. Check space \(job.target.spaceId) in Birst (its processing history \
            for source \(job.target.sourceName)) and publish it by hand if the data is missing.
            """
        job.result = JobResult(status: .unconfirmed, message: message, errorKind: "publish-unconfirmed", finishedAt: env.clock.now)
        job.stage = .notify
        context.logger.warning("publish unconfirmed: the space is idle again; ending the job without a second publish")
        return .next
    }
}

extension BirstError {
    /// No answer of Birst's tells what became of the call: a timeout, a connection dropped
    /// after sending, an unreadable answer, a 5xx without a SOAP fault. A SOAP fault is an
    /// answer — Birst reports that the call failed (e.g. "Server was unable to process
    /// request") — so for `publishData` it counts as not started, although the client marks
    /// transient faults as possibly applied (for `uploadData` a retry costs only a restart;
    /// here doubt would cost the job its confirmation).
    var answerLost: Bool { mayHaveTakenEffect && faultCode == nil }
}
