@testable import Baton
import Birst
import Foundation
import Testing

@Suite("UploadStage with fakes: exactly the event's bytes, or none")
struct UploadStageTests {
    @Test("Birst receives exactly the object's bytes in chunks, then the upload is finished and checkpointed")
    func exactBytes() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .upload, size: 3000)
        let step = try await UploadStage(env: bench.env).run(&job, context: bench.context())
        #expect(step == .handOff(.checkpoint))
        let token = try #require(job.birst.uploadToken)
        let expected = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        #expect(bench.birst.uploaded(token) == expected)
        #expect(bench.birst.calls == [.beginDataUpload, .uploadData, .uploadData, .uploadData, .finishDataUpload])
        #expect(job.stage == .awaitUpload)
        #expect(job.birst.server == bench.birst.server)
        #expect(job.birst.uploadStartedAt == bench.clock.now)
    }

    @Test("an object whose entity tag changed since the event ends the job superseded, nothing uploaded")
    func superseded() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .upload)
        bench.s3.put("reports", "daily/2026-11-27.csv", Array(repeating: 1, count: 3000), eTag: "etag-2")
        let step = try await UploadStage(env: bench.env).run(&job, context: bench.context())
        #expect(step == .next)
        #expect(job.stage == .notify)
        #expect(job.result?.status == .superseded)
        #expect(bench.birst.calls.isEmpty)
    }

    @Test("a size that disagrees with the event dead-letters the job as s3-mismatch")
    func sizeMismatch() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .upload)
        job.source.size = 2999
        let failure = await bench.failure(of: UploadStage(env: bench.env), &job)
        #expect(failure?.kind == "s3-mismatch")
        #expect(bench.birst.calls.isEmpty)
    }

    @Test("a redelivered message does not resume its upload token: it starts over on a new one")
    func redeliveredStartsOver() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .upload)
        job.birst.uploadToken = "upload-old"
        job.birst.uploadedBytes = 2048
        let step = try await UploadStage(env: bench.env).run(&job, context: bench.context(mayBeRedelivered: true))
        #expect(step == .handOff(.checkpoint))
        let token = try #require(job.birst.uploadToken)
        #expect(token != "upload-old")
        #expect(bench.birst.uploaded(token).count == 3000)
        #expect(bench.birst.uploaded("upload-old").isEmpty)
    }

    @Test("a chunk whose fate is unknown restarts the upload on a new token (upload-restart), with the session's cookie kept")
    func unknownChunk() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .upload)
        bench.birst.fail(.uploadData, with: BirstError(kind: .transient, operation: .uploadData, message: "timed out", mayHaveTakenEffect: true))
        bench.birst.setCookie("BIRSTSERVER=app2102")
        let failure = await bench.failure(of: UploadStage(env: bench.env), &job)
        #expect(failure?.kind == TransientKind.uploadRestart.rawValue)
        #expect(job.birst.uploadToken == nil)
        #expect(job.birst.uploadedBytes == 0)
        #expect(job.birst.affinityCookie == "BIRSTSERVER=app2102")
    }

    @Test("a stop between chunks pauses the upload where it stands, to be resumed on the same token")
    func stopBetweenChunks() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .upload)
        job.birst.uploadToken = "upload-7"
        job.birst.uploadedBytes = 1024
        let stop = StopSignal()
        stop.fire(.shutdown)
        let step = try await UploadStage(env: bench.env).run(&job, context: bench.context(stop: stop))
        #expect(step == .handOff(.budget))
        #expect(job.birst.uploadToken == "upload-7")
        #expect(job.birst.uploadedBytes == 1024)
        #expect(!bench.birst.calls.contains(.finishDataUpload))
    }
}
