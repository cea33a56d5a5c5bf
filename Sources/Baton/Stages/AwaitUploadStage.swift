import Foundation

/// Waits for Birst to finish analysing the upload.
struct AwaitUploadStage: Stage {
    var env: SliceEnvironment

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        guard let token = job.birst.uploadToken else { throw SliceFailure.deadLetter(.poison, "awaitUpload without an upload token") }
        let session = await env.birst.session(affinityCookie: job.birst.affinityCookie)
        let poller = BirstJobPoller(session: session, pollInterval: env.birstSettings.pollInterval)
        let result = try await poller.poll(token, context: context)
        job.birst.affinityCookie = await session.affinityCookie
        switch result {
        case .handOff(let nextPoll):
            job.notBefore = nextPoll
            return .handOff(.budget)
        case .complete(let status) where status.failed:
            throw SliceFailure.deadLetter(.birstFailed, "upload processing failed: \(status.message)")
        case .complete:
            job.birst.uploadFinishedAt = Date()
            job.stage = .publish
            context.logger.info("upload processed by Birst")
            return .next
        }
    }
}
