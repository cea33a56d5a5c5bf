import Birst
import Curl
import Foundation

/// S3 ranged reads → Birst uploadData, resumable: `birst.uploadedBytes` is where the
/// next slice continues the same upload token.
///
/// Birst must end up with exactly the bytes of the object version the event named:
/// - before an upload (re)starts, a HEAD of that version (pinned by `versionId`, or
///   guarded by the event's entity tag with `If-Match`) checks that the object is still
///   the one the event describes: a changed object ends the job `superseded`, a size or
///   entity tag that disagrees with the event dead-letters it (`s3-mismatch`), and an
///   empty object or folder marker ends it `skipped` (per the route's `emptyObjects`);
/// - every ranged read carries the same pin or guard, so an object overwritten during
///   the upload is never mixed into it (the unfinished upload is abandoned, the job
///   ends `superseded`, and the newer write's own event does the work);
/// - a non-idempotent Birst call (`beginDataUpload`, `uploadData`, `finishDataUpload`)
///   whose fate is unknown counts as possibly applied: the upload starts over under a
///   new upload token. Each call has its own timeout (`birst.callTimeout`); the slice
///   budget is soft and only checked between calls, so a chunk in flight is never cut.
struct UploadStage: Stage {
    var env: SliceEnvironment

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        try await env.withSession(&job) { session, job in try await upload(&job, session: session, context: context) }
    }

    private func upload(_ job: inout JobEnvelope, session: any BirstConnection, context: SliceContext) async throws -> StageStep {
        if context.mayBeRedelivered, job.birst.uploadToken != nil {
            // An earlier run of this very message may have appended chunks (or finished
            // the upload) after the offset the envelope records; Birst cannot say how
            // many bytes a token holds, so only a new token is certain to be exact.
            context.logger.notice("the message may have been run before; starting its upload over on a new token", metadata: [
                "uploadedBytes": "\(job.birst.uploadedBytes)",
            ])
            restart(&job)
        }
        let uploadToken: String
        if let existing = job.birst.uploadToken {
            uploadToken = existing
        } else {
            if let end = try await checkObject(&job, context: context) { return end }
            if context.shouldHandOff { return .handOff(.budget) }
            do {
                uploadToken = try await begin(&job, session: session, context: context)
            } catch {
                guard let birst = error as? BirstError, birst.mayHaveTakenEffect else { throw error }
                // An upload token may exist that nobody knows; it is never finished, so
                // Birst never processes it. The next slice begins a fresh one.
                throw SliceFailure.transient(.uploadRestart, message: "beginDataUpload may have been applied (\(birst)); beginning again")
            }
        }
        let size = job.source.size ?? 0

        if job.birst.uploadedBytes < size {
            let chunking = ChunkedUpload(
                chunkSize: env.birstSettings.chunkSize, safetyMargin: .milliseconds(100), callTimeout: env.birstSettings.callTimeout)
            let source = S3ByteSource(
                s3: env.s3, bucket: job.source.bucket, key: job.source.key,
                versionId: job.source.pinnedVersionId, eTag: job.source.eTag)
            let stop = context.stop
            let stopAllowance = Self.stopAllowance(shutdownGrace: env.worker.shutdownGrace)
            do {
                let progress = try await session.upload(
                    Int64(job.birst.uploadedBytes)..<Int64(size), of: source, uploadToken: uploadToken,
                    chunking: chunking, deadline: context.callDeadline,
                    shouldStop: { stop.reason != nil },
                    abandon: {
                        // A stopping worker waits for a chunk in flight only so long.
                        await stop.wait()
                        try? await Task.sleep(for: stopAllowance)
                    }
                )
                job.birst.uploadedBytes = Int(progress.offset)
                guard progress.stop == .finished else {
                    context.logger.info("upload paused", metadata: ["uploadedBytes": "\(job.birst.uploadedBytes)", "size": "\(size)"])
                    return .handOff(.budget)
                }
            } catch {
                job.birst.uploadedBytes = Int(error.progress.offset)
                if let s3 = error.underlying as? S3Error, s3.isPreconditionFailed {
                    return supersede(&job, context: context, detail: "the object changed during the upload (\(s3))")
                }
                if error.chunkMayHaveBeenApplied {
                    // Birst appends blindly: resuming after a chunk it may or may not have
                    // taken could duplicate bytes. Start the upload over instead.
                    restart(&job)
                    if context.isStopRequested {
                        // Abandoned because the worker stops: hand on at once, without a retry spent.
                        context.logger.warning("chunk abandoned while stopping; the upload starts over", metadata: ["error": "\(error.underlying)"])
                        return .handOff(.budget)
                    }
                    throw SliceFailure.transient(.uploadRestart, message: "a chunk may have been applied before the error (\(error.underlying)); restarting the upload")
                }
                throw error.underlying
            }
        }
        if context.shouldHandOff { return .handOff(.budget) }
        do {
            try await session.finishDataUpload(uploadToken: uploadToken, deadline: .after(env.birstSettings.callTimeout))
        } catch {
            guard error.mayHaveTakenEffect else { throw error }
            // Finished or not, nobody can tell: upload again under a new token (Birst's
            // source then holds the same bytes, whichever upload it processed last).
            restart(&job)
            throw SliceFailure.transient(.uploadRestart, message: "finishDataUpload may have been applied (\(error)); restarting the upload")
        }
        job.stage = .awaitUpload
        context.logger.info("upload finished", metadata: ["uploadedBytes": "\(job.birst.uploadedBytes)"])
        // finishDataUpload must not run twice for one token: record it before going on.
        return .handOff(.checkpoint)
    }

    /// How long a stopping worker lets a chunk in flight finish before abandoning it: a
    /// third of `worker.shutdownGrace`, leaving the rest for the hand-off and the commit.
    static func stopAllowance(shutdownGrace: Duration) -> Duration { shutdownGrace / 3 }

    /// HEADs the version the event named and compares it with the event. Returns the
    /// step that ends the job (skipped, superseded), or nil to upload.
    private func checkObject(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep? {
        let source = job.source
        let info: S3ObjectInfo
        do {
            info = try await env.s3.headObject(
                bucket: source.bucket, key: source.key, versionId: source.pinnedVersionId,
                ifMatch: source.pinnedVersionId == nil ? source.eTag : nil)
        } catch let error as S3Error where error.isPreconditionFailed {
            return supersede(&job, context: context, detail: "the object no longer has the event's entity tag \(source.eTag ?? "")")
        }
        if let expected = source.size, expected != info.size {
            throw SliceFailure.deadLetter(.s3Mismatch, "the event says \(expected) bytes, but \(describe(source)) has \(info.size) bytes; nothing uploaded")
        }
        if let expected = source.eTag.map(unquoted), let actual = info.eTag.map(unquoted), expected != actual {
            throw SliceFailure.deadLetter(.s3Mismatch, "the event says entity tag \(expected), but \(describe(source)) has \(actual); nothing uploaded")
        }
        job.source.size = info.size
        if source.eTag == nil { job.source.eTag = info.eTag }
        let policy = job.target.emptyObjects ?? .skip
        if let reason = JobFactory.skipReason(key: source.key, size: info.size, emptyObjects: policy) {
            job.result = JobResult(status: .skipped, message: reason, finishedAt: env.clock.now)
            job.stage = .notify
            context.logger.info("nothing to upload; skipped", metadata: ["reason": "\(reason)"])
            return .next
        }
        return nil
    }

    /// Ends the job `superseded`: its upload token (if any) is never finished.
    private func supersede(_ job: inout JobEnvelope, context: SliceContext, detail: String) -> StageStep {
        let message = "superseded: \(detail); the newer write's own event carries the work"
        job.result = JobResult(status: .superseded, message: message, errorKind: "superseded", finishedAt: env.clock.now)
        job.stage = .notify
        context.logger.notice("object changed under the job; superseded", metadata: [
            "uploadToken.abandoned": "\(job.birst.uploadToken != nil)", "uploadedBytes": "\(job.birst.uploadedBytes)",
        ])
        return .next
    }

    private func restart(_ job: inout JobEnvelope) {
        job.birst.uploadToken = nil
        job.birst.uploadedBytes = 0
    }

    private func describe(_ source: JobSource) -> String {
        let object = "s3://\(source.bucket)/\(source.key)"
        guard let version = source.pinnedVersionId else { return object }
        return "\(object) (version \(version))"
    }

    private func unquoted(_ tag: String) -> String {
        guard tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") else { return tag }
        return String(tag.dropFirst().dropLast())
    }

    private func begin(_ job: inout JobEnvelope, session: any BirstConnection, context: SliceContext) async throws -> String {
        let token = try await session.beginDataUpload(
            spaceID: job.target.spaceId, sourceName: job.target.sourceName, deadline: .after(env.birstSettings.callTimeout))
        let options = job.target.uploadOptions.compactMap { entry -> DataUploadOption? in
            guard let equals = entry.firstIndex(of: "=") else { return nil }
            return DataUploadOption(name: String(entry[..<equals]), value: String(entry[entry.index(after: equals)...]))
        }
        if !options.isEmpty {
            try await session.setDataUploadOptions(uploadToken: token, options: options, deadline: .after(env.birstSettings.callTimeout))
        }
        job.birst.uploadToken = token
        job.birst.uploadedBytes = 0
        job.birst.server = session.server
        job.birst.uploadStartedAt = job.birst.uploadStartedAt ?? env.clock.now
        context.logger.info("upload started", metadata: ["size": "\(job.source.size ?? 0)"])
        return token
    }
}

extension JobSource {
    /// The version reads must pin: the event's `versionId` when non-empty.
    var pinnedVersionId: String? {
        guard let versionId, !versionId.isEmpty else { return nil }
        return versionId
    }
}
