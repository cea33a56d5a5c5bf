import Foundation

/// Waits for Birst's processing, which can take far longer than one slice.
struct AwaitPublishStage: Stage {
    var env: SliceEnvironment

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        guard let token = job.birst.publishToken else { throw SliceFailure.deadLetter(.poison, "awaitPublish without a publish token") }
        guard let status = try await env.pollBirstJob(token, of: &job, context: context) else { return .handOff(.budget) }
        job.birst.publishFinishedAt = env.clock.now
        if status.failed { throw SliceFailure.deadLetter(.birstFailed, status.message.isEmpty ? "publish failed" : status.message) }
        job.result = JobResult(status: .completed, message: status.message.isEmpty ? nil : status.message, finishedAt: env.clock.now)
        job.stage = .notify
        context.logger.info("publish complete")
        return .next
    }
}
