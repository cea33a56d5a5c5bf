@testable import Baton
import Birst
import Foundation
import Kafka
import Testing

@Suite("SliceRunner with fakes: how a slice ends, and what it produces")
struct SliceRunnerTests {
    @Test("an upload that finishes hands the job on at the checkpoint, one retry spent, the server's cookie in the job")
    func uploadCheckpoint() async throws {
        let bench = try await SliceBench()
        let job = bench.job(stage: .upload)
        #expect(try await bench.run(job) == .handedOn)
        let next = try #require(try bench.continuations().first)
        #expect(bench.sink.records.count == 1)
        #expect(next.stage == .awaitUpload)
        #expect(next.retriesLeft == job.retriesLeft - 1)
        #expect(next.slices == 1)
        #expect(next.birst.uploadedBytes == 3000)
        let cookie = await bench.birst.affinityCookie
        #expect(next.birst.affinityCookie == cookie)
        #expect(next.firstSliceAt == bench.clock.now)
        #expect(bench.sink.records[0].header(JobHeaders.handoff) == "checkpoint")
        #expect(bench.birst.finishedUploads == [next.birst.uploadToken])
    }

    @Test("a publish that completes records the outcome and sends e-mail and webhook in the same slice")
    func completed() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .awaitPublish)
        job.birst.publishToken = "publish-9"
        bench.birst.incomplete("publish-9", polls: 2)
        #expect(try await bench.run(job) == .finished)
        let outcome = try #require(try bench.outcomes().first)
        #expect(bench.sink.records.count == 1, "only the outcome: nothing continues")
        #expect(outcome.status == .completed)
        #expect(bench.notifier.emails.map(\.jobId) == [job.jobId])
        #expect(bench.notifier.webhookPosts.map(\.jobId) == [job.jobId])
        #expect(bench.birst.calls.filter { $0 == .isJobComplete }.count == 3)
    }

    @Test("a transient Birst error backs off: lastError counts by kind, notBefore from the injected clock, a retry spent")
    func transientBackoff() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .publish)
        job.lastError = JobError(kind: TransientKind.birstTransient.rawValue, message: "earlier", count: 2)
        let busy = BirstError(kind: .transient, operation: .getLoadStatus, message: "Server Too Busy", httpStatus: 503)
        bench.birst.fail(.getLoadStatus, with: busy)
        #expect(try await bench.run(job) == .handedOn)
        let next = try #require(try bench.continuations().first)
        #expect(next.lastError?.kind == "birst-transient")
        #expect(next.lastError?.count == 3)
        #expect(next.retriesLeft == job.retriesLeft - 1)
        #expect(bench.sink.records[0].header(JobHeaders.handoff) == "backoff")
        // Third failure in a row: between half and all of 4 s × 2².
        let delay = try #require(next.notBefore).timeIntervalSince(bench.clock.now)
        #expect(delay >= 8 && delay <= 16)
        #expect(next.stage == .publish)
    }

    @Test("a job out of retries is dead-lettered; its outcome and notifications follow in the same slice")
    func retriesExhausted() async throws {
        let bench = try await SliceBench()
        let job = bench.job(stage: .awaitUpload, retriesLeft: 0)
        #expect(try await bench.run(job) == .finished)
        #expect(bench.sink.records.map(\.topic) == [bench.topics.deadLetters.name, bench.topics.outcomes.name])
        #expect(bench.sink.records[0].header(JobHeaders.errorKind) == "retries-exhausted")
        #expect(try bench.outcomes().first?.status == .deadLettered)
        #expect(bench.notifier.emails.count == 1)
        #expect(bench.birst.calls.isEmpty, "no work for a job that may not run")
    }

    @Test("Birst reporting the publish Failed dead-letters the job as failed and notifies")
    func birstFailed() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .awaitPublish)
        job.birst.publishToken = "publish-3"
        bench.birst.status("publish-3", JobStatus(statusCode: "Failed", message: "Processing group failed"))
        #expect(try await bench.run(job) == .finished)
        #expect(bench.sink.records.map(\.topic) == [bench.topics.deadLetters.name, bench.topics.outcomes.name])
        #expect(bench.sink.records[0].header(JobHeaders.errorKind) == "birst-failed")
        let outcome = try #require(try bench.outcomes().first)
        #expect(outcome.status == .failed)
        #expect(outcome.message == "Processing group failed")
    }

    @Test("a slice asked to stop for shutdown hands its job on without spending a retry")
    func shutdownCostsNothing() async throws {
        let bench = try await SliceBench()
        let job = bench.job(stage: .publish)
        let stop = StopSignal()
        stop.fire(.shutdown)
        #expect(try await bench.run(job, stop: stop) == .handedOn)
        let next = try #require(try bench.continuations().first)
        #expect(next.retriesLeft == job.retriesLeft)
        #expect(bench.sink.records[0].header(JobHeaders.handoff) == "shutdown")
        #expect(!bench.birst.calls.contains(.publishData))
    }

    @Test("refused Birst credentials are the environment's fault: no retry spent, the worker marked unhealthy")
    func environmentFault() async throws {
        let bench = try await SliceBench(["worker.environmentRecheck": "30s"])
        let job = bench.job(stage: .publish)
        bench.birst.fail(.getLoadStatus, with: BirstError(kind: .badCredentials, operation: .login, message: "Login: Failed web services login attempt"))
        #expect(try await bench.run(job) == .handedOn)
        let next = try #require(try bench.continuations().first)
        #expect(next.retriesLeft == job.retriesLeft)
        #expect(next.notBefore == bench.clock.now.addingTimeInterval(30))
        #expect(bench.sink.records[0].header(JobHeaders.handoff) == "environment")
        let healthy = await bench.env.health.isHealthy
        #expect(!healthy)
        await bench.env.health.shutdown()
    }

    @Test("an unreadable message is dead-lettered untouched, with an outcome under its key")
    func poison() async throws {
        let bench = try await SliceBench()
        let input = KafkaMessage(topic: bench.topics.jobs.name, partition: 2, offset: 7, key: Array("job-x".utf8), value: Array("{not json".utf8))
        let end = try await bench.runner.process(input, decoded: .failure(PoisonReason("not JSON")), stop: StopSignal())
        #expect(end == .finished)
        let letter = try #require(bench.sink.records(on: bench.topics.deadLetters.name).first)
        #expect(letter.value == input.value)
        #expect(letter.header(JobHeaders.errorKind) == "poison")
        #expect(letter.header(JobHeaders.deadLetterSource) == "\(bench.topics.jobs.name)/2/7")
        let outcome = try #require(try bench.outcomes().first)
        #expect(outcome.jobId == "job-x")
        #expect(outcome.status == .deadLettered)
    }

    @Test("a failed webhook is retried on a later slice without a retry spent, and the outcome is not recorded twice")
    func notifyRetry() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .notify)
        job.result = JobResult(status: .completed, finishedAt: bench.clock.now)
        bench.notifier.fail(email: false, webhook: true)
        #expect(try await bench.run(job) == .handedOn)
        let next = try #require(try bench.continuations().first)
        #expect(next.retriesLeft == job.retriesLeft)
        #expect(next.lastError?.kind == TransientKind.notify.rawValue)
        #expect(next.result?.outcomeRecorded == true)
        #expect(next.result?.emailSent == true)
        #expect(bench.sink.records.map(\.topic) == [bench.topics.outcomes.name, bench.topics.jobs.name], "the outcome first, then the continuation")
        #expect(bench.sink.records[1].header(JobHeaders.handoff) == "notify-retry")

        bench.notifier.fail(email: false, webhook: false)
        #expect(try await bench.run(next) == .finished)
        #expect(try bench.outcomes().count == 1)
        #expect(bench.notifier.emails.count == 1, "the e-mail that went out is not sent again")
        #expect(bench.notifier.webhookPosts.count == 1)
    }

    @Test("a continuation the broker refuses for a while is delivered once it accepts")
    func deliveryRetried() async throws {
        let bench = try await SliceBench()
        bench.sink.refuseNext([KafkaError(name: "_TRANSPORT", message: "broker down", code: -195, isRetriable: true)])
        let stop = StopSignal()
        stop.fire(.rebalance)
        #expect(try await bench.run(bench.job(stage: .publish), stop: stop) == .handedOn)
        #expect(bench.sink.records.count == 1)
        #expect(bench.sink.records[0].header(JobHeaders.handoff) == "rebalance")
    }

    @Test("a fatal producer error ends the slice with ProducerFailure: nothing counts as handed on")
    func producerFatal() async throws {
        let bench = try await SliceBench()
        bench.sink.refuseNext([KafkaError(name: "_FENCED", message: "producer fenced", code: -144, isFatal: true)])
        let stop = StopSignal()
        stop.fire(.shutdown)
        await #expect(throws: ProducerFailure.self) { try await bench.run(bench.job(stage: .publish), stop: stop) }
        #expect(bench.sink.records.isEmpty)
    }
}
