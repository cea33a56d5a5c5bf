import Birst
import Foundation

/// S3 ranged reads → Birst uploadData, resumable: `birst.uploadedBytes` is where the
/// next slice continues the same upload token.
struct UploadStage: Stage {
    var env: SliceEnvironment

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        let session = await env.birst.session(affinityCookie: job.birst.affinityCookie)
        if job.source.size == nil {
            let info = try await env.s3.headObject(bucket: job.source.bucket, key: job.source.key)
            job.source.size = info.size
            job.source.eTag = job.source.eTag ?? info.eTag
        }
        let size = job.source.size ?? 0
        if context.mayBeRedelivered, job.birst.uploadToken != nil {
            // An earlier run of this very message may have appended chunks (or finished
            // the upload) after the offset the envelope records; Birst cannot say how
            // many bytes a token holds, so only a new token is certain to be exact.
            context.logger.notice("the message may have been run before; starting its upload over on a new token", metadata: [
                "uploadedBytes": "\(job.birst.uploadedBytes)",
            ])
            job.birst.uploadToken = nil
            job.birst.uploadedBytes = 0
        }
        let uploadToken: String
        if let existing = job.birst.uploadToken {
            uploadToken = existing
        } else {
            uploadToken = try await begin(&job, session: session, context: context)
        }

        if job.birst.uploadedBytes < size {
            let uploader = ChunkedUpload(chunkSize: env.birstSettings.chunkSize, safetyMargin: .milliseconds(100))
            let source = S3ByteSource(s3: env.s3, bucket: job.source.bucket, key: job.source.key)
            do {
                let progress = try await uploader.upload(
                    Int64(job.birst.uploadedBytes)..<Int64(size), of: source, uploadToken: uploadToken,
                    session: session, deadline: context.callDeadline,
                    shouldStop: { [stop = context.stop] in stop.reason != nil }
                )
                job.birst.uploadedBytes = Int(progress.offset)
                job.birst.affinityCookie = await session.affinityCookie
                guard progress.stop == .finished else {
                    context.logger.info("upload paused", metadata: ["uploadedBytes": "\(job.birst.uploadedBytes)", "size": "\(size)"])
                    return .handOff(.budget)
                }
            } catch {
                job.birst.uploadedBytes = Int(error.progress.offset)
                job.birst.affinityCookie = await session.affinityCookie
                if error.chunkMayHaveBeenApplied {
                    // Birst appends blindly: resuming after a chunk it may or may not have
                    // taken could duplicate bytes. Start the upload over instead.
                    job.birst.uploadToken = nil
                    job.birst.uploadedBytes = 0
                    throw SliceFailure.transient(kind: "upload-restart", message: "a chunk may have been applied before the error (\(error.underlying)); restarting the upload")
                }
                throw error.underlying
            }
        }
        try await session.finishDataUpload(uploadToken: uploadToken, deadline: context.callDeadline)
        job.birst.affinityCookie = await session.affinityCookie
        job.stage = .awaitUpload
        context.logger.info("upload finished", metadata: ["uploadedBytes": "\(job.birst.uploadedBytes)"])
        // finishDataUpload must not run twice for one token: record it before going on.
        return .handOff(.checkpoint)
    }

    private func begin(_ job: inout JobEnvelope, session: BirstSession, context: SliceContext) async throws -> String {
        let token = try await session.beginDataUpload(spaceID: job.target.spaceId, sourceName: job.target.sourceName, deadline: context.callDeadline)
        let options = job.target.uploadOptions.compactMap { entry -> DataUploadOption? in
            guard let equals = entry.firstIndex(of: "=") else { return nil }
            return DataUploadOption(name: String(entry[..<equals]), value: String(entry[entry.index(after: equals)...]))
        }
        if !options.isEmpty {
            try await session.setDataUploadOptions(uploadToken: token, options: options, deadline: context.callDeadline)
        }
        job.birst.uploadToken = token
        job.birst.uploadedBytes = 0
        job.birst.server = session.client.configuration.endpoint
        job.birst.affinityCookie = await session.affinityCookie
        job.birst.uploadStartedAt = job.birst.uploadStartedAt ?? Date()
        context.logger.info("upload started", metadata: ["size": "\(job.source.size ?? 0)"])
        return token
    }
}
