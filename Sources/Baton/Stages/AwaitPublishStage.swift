import Foundation

/// Waits for Birst's processing, which can take far longer than one slice.
struct AwaitPublishStage: Stage {
    var env: SliceEnvironment

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        guard let token = job.birst.publishToken else { throw SliceFailure.deadLetter(.poison, "awaitPublish without a publish token") }
        let session = await env.birst.session(affinityCookie: job.birst.affinityCookie)
        let poller = BirstJobPoller(session: session, pollInterval: env.birstSettings.pollInterval)
        let result = try await poller.poll(token, context: context)
        job.birst.affinityCookie = await session.affinityCookie
        switch result {
        case .handOff(let nextPoll):
            job.notBefore = nextPoll
            return .handOff(.budget)
        case .complete(let status):
            job.birst.publishFinishedAt = Date()
            if status.failed { throw SliceFailure.deadLetter(.birstFailed, status.message.isEmpty ? "publish failed" : status.message) }
            job.result = JobResult(status: .completed, message: status.message.isEmpty ? nil : status.message)
            job.stage = .notify
            context.logger.info("publish complete")
            return .next
        }
    }
}
