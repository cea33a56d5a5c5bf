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

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        try await env.withSession(&job) { session, job in
            if job.birst.publishRequestedAt != nil, job.birst.publishToken == nil {
                context.logger.notice("an earlier slice may have called publishData without recording its answer; not publishing again")
                return try await settle(&job, session: session, context: context)
            }
            return try await publish(&job, session: session, context: context)
        }
    }

    private func publish(_ job: inout JobEnvelope, session: any BirstConnection, context: SliceContext) async throws -> StageStep {
        while true {
            let status = try await session.getLoadStatus(spaceID: job.target.spaceId, deadline: context.callDeadline(env.birstSettings))
            if status.isAvailable { break }
            context.logger.info("space busy, waiting before publishing", metadata: ["loadStatus": "\(status)"])
            guard await context.pause(for: env.birstSettings.pollInterval) else {
                job.notBefore = context.isStopRequested ? nil : env.clock.after(env.birstSettings.pollInterval)
                return .handOff(.budget)
            }
        }
        // The budget is soft: a publish starts only while the slice has time, and then runs
        // to its own timeout rather than being cut (a cut publish's fate is unknown).
        if context.shouldHandOff { return .handOff(.budget) }
        job.birst.publishRequestedAt = env.clock.now
        let intent = job
        // The intent carries this slice's number; what the slice hands on afterwards
        // carries one more, so a redelivery reads the intent as stale once that follows.
        job.slices += 1
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

    /// A publish of unknown fate: waits (across slices) until the space is `Available`,
    /// then ends the job `unconfirmed`, without calling `publishData`.
    private func settle(_ job: inout JobEnvelope, session: any BirstConnection, context: SliceContext) async throws -> StageStep {
        while true {
            let status = try await session.getLoadStatus(spaceID: job.target.spaceId, deadline: context.callDeadline(env.birstSettings))
            if status.isAvailable { break }
            context.logger.info("space busy after a publish of unknown fate; waiting for it to end", metadata: ["loadStatus": "\(status)"])
            guard await context.pause(for: env.birstSettings.pollInterval) else {
                job.notBefore = context.isStopRequested ? nil : env.clock.after(env.birstSettings.pollInterval)
                return .handOff(.budget)
            }
        }
        let requested = job.birst.publishRequestedAt.map { " at \(Timestamp.format($0))" } ?? ""
        let message = """
            publishData was called\(requested) but its answer was lost (past its deadline, or the worker was cut off \
            before recording it); the space is idle again, and Birst's API cannot say whether that publish ran. \
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
