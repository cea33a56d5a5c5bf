import Foundation

/// Waits for Birst to finish analysing the upload.
struct AwaitUploadStage: Stage {
    var env: SliceEnvironment

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        guard let token = job.birst.uploadToken else { throw SliceFailure.deadLetter(.poison, "awaitUpload without an upload token") }
        guard let status = try await env.pollBirstJob(token, of: &job, context: context) else { return .handOff(.budget) }
        if status.failed { throw SliceFailure.deadLetter(.birstFailed, "upload processing failed: \(status.message)") }
        job.birst.uploadFinishedAt = env.clock.now
        job.stage = .publish
        context.logger.info("upload processed by Birst")
        return .next
    }
}
