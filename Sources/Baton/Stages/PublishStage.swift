import Birst
import Foundation

/// Starts Birst's processing, guarded by the space's load status so a redelivered job
/// does not start a second publish while the first still runs.
struct PublishStage: Stage {
    var env: SliceEnvironment

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        try await env.withSession(&job) { session, job in try await publish(&job, session: session, context: context) }
    }

    private func publish(_ job: inout JobEnvelope, session: any BirstConnection, context: SliceContext) async throws -> StageStep {
        while true {
            let status = try await session.getLoadStatus(spaceID: job.target.spaceId, deadline: context.callDeadline)
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
        let token: String
        do {
            token = try await session.publishData(
                spaceID: job.target.spaceId, subgroups: job.target.subgroups, date: env.clock.now,
                deadline: .after(env.birstSettings.callTimeout))
        } catch {
            guard error.mayHaveTakenEffect else { throw error }
            // It may be running without a token we know. The load-status guard decides on
            // the next slice: while Birst is busy (with it, or anything else) nothing starts.
            throw SliceFailure.transient(.publishUnknown, message: "publishData may have been applied (\(error)); the load-status guard decides before publishing again")
        }
        job.birst.publishToken = token
        job.birst.publishStartedAt = env.clock.now
        job.stage = .awaitPublish
        context.logger.info("publish started")
        // A publish must never start twice: record its token before anything else.
        return .handOff(.checkpoint)
    }
}
