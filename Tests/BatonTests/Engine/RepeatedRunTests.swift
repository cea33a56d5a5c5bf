@testable import Baton
import Foundation
import Kafka
import Testing

/// A message run a second time after a worker died between acknowledging what the first
/// run produced and committing the message: the outcome and dead letter are not repeated.
@Suite("SliceRunner with a ledger: one outcome and one dead letter per message")
struct RepeatedRunTests {
    /// `bench`'s environment with `ledger`.
    func runner(_ bench: SliceBench, _ ledger: ListedLedger) -> SliceRunner {
        var env = bench.env
        env.ledger = ledger
        return SliceRunner(env: env)
    }

    func finishingJob(_ bench: SliceBench) -> JobEnvelope {
        var job = bench.job(stage: .awaitPublish)
        job.birst.publishToken = "publish-9"
        return job
    }

    @Test("a redelivered message whose outcome is on the topic finishes without another; notifications follow the envelope")
    func outcomeNotRepeated() async throws {
        let bench = try await SliceBench()
        let job = finishingJob(bench)
        let input = bench.message(job)
        let ledger = ListedLedger([(bench.topics.outcomes.name, JobRecords.position(of: input))])
        let end = try await runner(bench, ledger).process(input, decoded: .success(job), stop: StopSignal(), mayBeRedelivered: true)
        #expect(end == .finished)
        #expect(bench.sink.records.isEmpty, "no outcome, no continuation")
        #expect(ledger.asked.map(\.topic) == [bench.topics.outcomes.name])
        // The envelope does not say the e-mail went out: at least once for notifications.
        #expect(bench.notifier.emails.map(\.jobId) == [job.jobId])
    }

    @Test("an outcome of another message of the job (a replay, a stray) does not count: the outcome is recorded, naming its source")
    func otherMessageDoesNotCount() async throws {
        let bench = try await SliceBench()
        let job = finishingJob(bench)
        let input = bench.message(job, offset: 41)
        let ledger = ListedLedger([(bench.topics.outcomes.name, "\(bench.topics.jobs.name)/0/40")])
        #expect(try await runner(bench, ledger).process(input, decoded: .success(job), stop: StopSignal(), mayBeRedelivered: true) == .finished)
        let outcome = try #require(bench.sink.records(on: bench.topics.outcomes.name).first)
        #expect(outcome.header(JobHeaders.source) == "\(bench.topics.jobs.name)/0/41")
        #expect(try bench.outcomes().map(\.jobId) == [job.jobId])
    }

    @Test("a message that cannot have been run before is not looked up")
    func firstRunNotLookedUp() async throws {
        let bench = try await SliceBench()
        let job = finishingJob(bench)
        let ledger = ListedLedger([(bench.topics.outcomes.name, JobRecords.position(of: bench.message(job)))])
        let end = try await runner(bench, ledger).process(bench.message(job), decoded: .success(job), stop: StopSignal(), mayBeRedelivered: false)
        #expect(end == .finished)
        #expect(ledger.asked.isEmpty)
        #expect(try bench.outcomes().count == 1)
    }

    @Test("a look-up that fails produces the outcome anyway (at least once), never none")
    func failedLookUpProduces() async throws {
        let bench = try await SliceBench()
        let job = finishingJob(bench)
        let ledger = ListedLedger(failing: true)
        #expect(try await runner(bench, ledger).process(bench.message(job), decoded: .success(job), stop: StopSignal(), mayBeRedelivered: true) == .finished)
        #expect(ledger.asked.count == 1)
        #expect(try bench.outcomes().count == 1)
    }

    @Test("a loop-guard dead letter run again: neither the dead letter nor its outcome is repeated")
    func deadLetterNotRepeated() async throws {
        let bench = try await SliceBench()
        let job = bench.job(stage: .publish, retriesLeft: 0)
        let input = bench.message(job)
        let source = JobRecords.position(of: input)
        let ledger = ListedLedger([(bench.topics.deadLetters.name, source), (bench.topics.outcomes.name, source)])
        #expect(try await runner(bench, ledger).process(input, decoded: .success(job), stop: StopSignal(), mayBeRedelivered: true) == .finished)
        #expect(bench.sink.records.isEmpty)
        #expect(Set(ledger.asked.map(\.topic)) == [bench.topics.deadLetters.name, bench.topics.outcomes.name])
    }

    @Test("a dead letter acknowledged before the worker died, its outcome not: only the outcome is produced")
    func outcomeAfterDeadLetter() async throws {
        let bench = try await SliceBench()
        let job = bench.job(stage: .publish, retriesLeft: 0)
        let input = bench.message(job)
        let ledger = ListedLedger([(bench.topics.deadLetters.name, JobRecords.position(of: input))])
        #expect(try await runner(bench, ledger).process(input, decoded: .success(job), stop: StopSignal(), mayBeRedelivered: true) == .finished)
        #expect(bench.sink.records.map(\.topic) == [bench.topics.outcomes.name])
        #expect(try bench.outcomes().first?.status == .deadLettered)
    }

    @Test("a poison message run again: its dead letter and the outcome under its key are not repeated")
    func poisonNotRepeated() async throws {
        let bench = try await SliceBench()
        let input = KafkaMessage(topic: bench.topics.jobs.name, partition: 2, offset: 7, key: Array("job-x".utf8), value: Array("{not json".utf8))
        let source = JobRecords.position(of: input)
        let ledger = ListedLedger([(bench.topics.deadLetters.name, source), (bench.topics.outcomes.name, source)])
        let end = try await runner(bench, ledger).process(input, decoded: .failure(PoisonReason("not JSON")), stop: StopSignal(), mayBeRedelivered: true)
        #expect(end == .finished)
        #expect(bench.sink.records.isEmpty)

        let fresh = try await SliceBench()
        let empty = ListedLedger()
        _ = try await runner(fresh, empty).process(input, decoded: .failure(PoisonReason("not JSON")), stop: StopSignal(), mayBeRedelivered: true)
        #expect(fresh.sink.records.map(\.topic) == [fresh.topics.deadLetters.name, fresh.topics.outcomes.name])
        #expect(fresh.sink.records[1].header(JobHeaders.source) == source)
    }
}
