@testable import Baton
import Foundation
import Testing

@Suite("NotifyStage with a recording sink and notifier")
struct NotifyStageTests {
    @Test("the outcome record comes first, then e-mail and webhook, each once")
    func once() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .notify)
        job.result = JobResult(status: .completed, finishedAt: bench.clock.now)
        let step = try await NotifyStage(env: bench.env).run(&job, context: bench.context())
        #expect(step == .finished)
        #expect(try bench.outcomes().map(\.jobId) == [job.jobId])
        #expect(bench.notifier.emails.map(\.to) == [["ops@example.com"]])
        #expect(bench.notifier.webhookPosts.map(\.url) == ["http://hooks.example/outcome"])
        #expect(job.result?.outcomeRecorded == true && job.result?.emailSent == true && job.result?.webhookSent == true)
    }

    @Test("a failed e-mail is retried with back-off from the clock; the webhook that worked is not posted again")
    func retryOnlyWhatFailed() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .notify)
        job.result = JobResult(status: .completed, finishedAt: bench.clock.now)
        bench.notifier.fail(email: true, webhook: false)
        let step = try await NotifyStage(env: bench.env).run(&job, context: bench.context())
        #expect(step == .handOff(.notifyRetry))
        #expect(job.result?.emailSent == false)
        #expect(job.result?.webhookSent == true)
        #expect(job.lastError?.kind == "notify")
        let delay = try #require(job.notBefore).timeIntervalSince(bench.clock.now)
        #expect(delay >= 2 && delay <= 4)

        bench.notifier.fail(email: false, webhook: false)
        #expect(try await NotifyStage(env: bench.env).run(&job, context: bench.context()) == .finished)
        #expect(bench.notifier.webhookPosts.count == 1)
        #expect(bench.notifier.emails.count == 1)
        #expect(try bench.outcomes().count == 1)
    }

    @Test("after notify.maxAttempts failures the notifications are given up; the outcome stands")
    func givesUp() async throws {
        let bench = try await SliceBench(["notify.maxAttempts": "2"])
        var job = bench.job(stage: .notify)
        job.result = JobResult(status: .deadLettered, finishedAt: bench.clock.now)
        bench.notifier.fail(email: true, webhook: true)
        #expect(try await NotifyStage(env: bench.env).run(&job, context: bench.context()) == .handOff(.notifyRetry))
        #expect(try await NotifyStage(env: bench.env).run(&job, context: bench.context()) == .finished)
        #expect(try bench.outcomes().count == 1)
    }
}
