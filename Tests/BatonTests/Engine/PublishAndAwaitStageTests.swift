@testable import Baton
import Birst
import Foundation
import Testing

@Suite("Publish and await stages with a scripted Birst")
struct PublishAndAwaitStageTests {
    @Test("a busy space is waited out; publishData starts once it is Available, and its token is checkpointed")
    func publishAfterBusy() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .publish)
        bench.birst.loadStatuses(["Processing", "Processing"])
        let step = try await PublishStage(env: bench.env).run(&job, context: bench.context())
        #expect(step == .handOff(.checkpoint))
        #expect(bench.birst.calls == [.getLoadStatus, .getLoadStatus, .getLoadStatus, .publishData])
        #expect(job.birst.publishToken == bench.birst.publishes.first?.token)
        let intent = try #require(try bench.continuations().first, "the intent was recorded before the call")
        #expect(intent.birst.publishRequestedAt == bench.clock.now && intent.birst.publishToken == nil)
        #expect(job.slices == intent.slices + 1, "what the slice hands on follows its intent")
        #expect(bench.birst.publishes.first?.date == bench.clock.now)
        #expect(job.birst.publishStartedAt == bench.clock.now)
        #expect(job.stage == .awaitPublish)
    }

    @Test("publishData whose answer is lost is not called again: the job waits for Available and ends unconfirmed")
    func publishUnknown() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .publish)
        bench.birst.fail(.publishData, with: BirstError(kind: .transient, operation: .publishData, message: "timed out", mayHaveTakenEffect: true))
        let step = try await PublishStage(env: bench.env).run(&job, context: bench.context())
        #expect(step == .next)
        #expect(bench.birst.calls.filter { $0 == .publishData }.count == 1)
        #expect(job.birst.publishToken == nil)
        #expect(job.stage == .notify)
        #expect(job.result?.status == .unconfirmed)
        #expect(job.result?.errorKind == "publish-unconfirmed")
    }

    @Test("a space still busy when the slice ends hands off with notBefore one poll interval after the clock")
    func busyUntilTheEnd() async throws {
        let bench = try await SliceBench(["birst.pollInterval": "1s"])
        var job = bench.job(stage: .publish)
        bench.birst.loadStatuses(["Processing"])
        let step = try await PublishStage(env: bench.env).run(&job, context: bench.context(budget: .milliseconds(200)))
        #expect(step == .handOff(.budget))
        #expect(job.notBefore == bench.clock.now.addingTimeInterval(1))
        #expect(!bench.birst.calls.contains(.publishData))
    }

    @Test("awaitUpload: complete moves the job to publish, stamped with the injected clock")
    func uploadProcessed() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .awaitUpload)
        job.birst.uploadToken = "upload-5"
        bench.birst.incomplete("upload-5", polls: 1)
        let step = try await AwaitUploadStage(env: bench.env).run(&job, context: bench.context())
        #expect(step == .next)
        #expect(job.stage == .publish)
        #expect(job.birst.uploadFinishedAt == bench.clock.now)
        let cookie = await bench.birst.affinityCookie
        #expect(job.birst.affinityCookie == cookie)
    }

    @Test("awaitPublish: not complete before the slice ends, the next poll keeps the cadence")
    func pollCadence() async throws {
        // An interval far longer than a poll takes on a busy machine (the poll runs in a
        // child task, which waits for a thread of the test process's pool).
        let bench = try await SliceBench(["birst.pollInterval": "60s"])
        var job = bench.job(stage: .awaitPublish)
        job.birst.publishToken = "publish-5"
        bench.birst.incomplete("publish-5", polls: 100)
        let step = try await AwaitPublishStage(env: bench.env).run(&job, context: bench.context(budget: .milliseconds(200)))
        #expect(step == .handOff(.budget))
        let wait = try #require(job.notBefore).timeIntervalSince(bench.clock.now)
        #expect(wait > 0 && wait <= 60)
        #expect(job.result == nil)
    }

    @Test("awaitUpload without an upload token is the envelope's fault: dead-lettered as poison")
    func missingToken() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .awaitUpload)
        let failure = await bench.failure(of: AwaitUploadStage(env: bench.env), &job)
        #expect(failure?.kind == "poison")
    }
}
