import Birst
import Foundation

/// Waits for Birst's processing, which can take far longer than one slice.
struct AwaitPublishStage: Stage {
    var env: SliceEnvironment

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        guard let token = job.birst.publishToken else { throw SliceFailure.deadLetter(.poison, "awaitPublish without a publish token") }
        guard let status = try await env.pollBirstJob(token, of: &job, context: context) else { return .handOff(.budget) }
        try complete(&job, status: status, context: context)
        return .next
    }

    /// Records Birst's final status in the job. Not inlined into ``run(_:context:)``, whose
    /// async frame every waiting job keeps while it polls (issue 10).
    @inline(never)
    private func complete(_ job: inout JobEnvelope, status: JobStatus, context: SliceContext) throws {
        job.birst.publishFinishedAt = env.clock.now
        if status.failed { throw SliceFailure.deadLetter(.birstFailed, status.message.isEmpty ? "publish failed" : status.message) }
        job.result = JobResult(status: .completed, message: status.message.isEmpty ? nil : status.message, finishedAt: env.clock.now)
        job.stage = .notify
        context.logger.info("publish complete")
    }
}
