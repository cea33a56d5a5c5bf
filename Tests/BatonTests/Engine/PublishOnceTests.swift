@testable import Baton
import Birst
import Foundation
import Kafka
import Testing

/// One publish per job (issue 10, chaos scenarios 2 and 6): a slice records its publish
/// intent on the jobs topic before it calls `publishData`, and a publish of unknown fate
/// is never repeated; the job ends `unconfirmed` once the space is idle again.
@Suite("SliceRunner with fakes: publishData at most once per job")
struct PublishOnceTests {
    static let lost = BirstError(kind: .deadlineExceeded, operation: .publishData, message: "no answer within 120 s", mayHaveTakenEffect: true)

    @Test("the intent is acknowledged before publishData; the continuation with the token follows it one slice further")
    func intentBeforeCall() async throws {
        let bench = try await SliceBench()
        let job = bench.job(stage: .publish)
        #expect(try await bench.run(job) == .handedOn)
        let records = bench.sink.records(on: bench.topics.jobs.name)
        #expect(records.map { $0.header(JobHeaders.handoff) } == ["publish-intent", "checkpoint"])
        let (intent, next) = (try bench.continuations()[0], try bench.continuations()[1])
        #expect(intent.stage == .publish && intent.birst.publishRequestedAt != nil && intent.birst.publishToken == nil)
        #expect(intent.slices == job.slices + 1 && next.slices == job.slices + 2)
        #expect(intent.retriesLeft == job.retriesLeft, "recording the intent spends no retry")
        #expect(next.stage == .awaitPublish && next.birst.publishToken == bench.birst.publishes.first?.token)
    }

    @Test("an answer lost: no second publishData; the job waits while the space is busy, then ends unconfirmed and notifies")
    func answerLost() async throws {
        let bench = try await SliceBench()
        bench.birst.fail(.publishData, with: Self.lost)
        // The guard sees Available; after the lost answer the space is busy twice, then idle.
        bench.birst.loadStatuses(["Available", "Processing", "Processing"])
        #expect(try await bench.run(bench.job(stage: .publish)) == .finished)
        #expect(bench.birst.calls.filter { $0 == .publishData }.count == 1)
        #expect(bench.birst.calls.filter { $0 == .getLoadStatus }.count == 4)
        let outcome = try #require(try bench.outcomes().first)
        #expect(outcome.status == .unconfirmed)
        #expect(outcome.errorKind == "publish-unconfirmed")
        #expect(outcome.message?.contains("answer was lost") == true && outcome.message?.contains("Check space space-1") == true)
        #expect(bench.notifier.emails.map(\.jobId) == ["job-publish"], "e-mailed as a failure is")
    }

    @Test("an answer lost and the space busy past the slice: handed on with the intent, still never published again")
    func answerLostThenBusy() async throws {
        let bench = try await SliceBench(["birst.pollInterval": "50ms"])
        bench.birst.fail(.publishData, with: Self.lost)
        bench.birst.loadStatuses(["Available"] + Array(repeating: "Processing", count: 1000))
        let stop = StopSignal()
        Task { [birst = bench.birst] in
            // The slice waits on the busy space; the stop asks it to hand on.
            while !birst.calls.contains(.publishData) { try await Task.sleep(for: .milliseconds(5)) }
            stop.fire(.shutdown)
        }
        #expect(try await bench.run(bench.job(stage: .publish), stop: stop) == .handedOn)
        let next = try #require(try bench.continuations().last)
        #expect(next.stage == .publish && next.birst.publishRequestedAt != nil && next.birst.publishToken == nil)
        bench.birst.loadStatuses([])
        #expect(try await bench.run(next) == .finished)
        #expect(bench.birst.calls.filter { $0 == .publishData }.count == 1)
        #expect(try bench.outcomes().map(\.status) == [.unconfirmed])
    }

    @Test("a message with an intent and no token (an earlier slice may have published) never calls publishData")
    func intentRecordRun() async throws {
        let bench = try await SliceBench()
        var job = bench.job(stage: .publish)
        job.slices = 5
        job.birst.publishRequestedAt = bench.clock.now.addingTimeInterval(-60)
        bench.birst.loadStatuses(["Processing"])
        #expect(try await bench.run(job) == .finished)
        #expect(!bench.birst.calls.contains(.publishData))
        #expect(bench.birst.calls.filter { $0 == .getLoadStatus }.count == 2, "busy once, then Available")
        #expect(try bench.outcomes().map(\.status) == [.unconfirmed])
    }

    @Test("an intent the broker does not acknowledge: publishData is not called")
    func intentNotAcknowledged() async throws {
        let bench = try await SliceBench()
        bench.sink.refuseNext([KafkaError(name: "_FENCED", message: "producer fenced", code: -144, isFatal: true)])
        await #expect(throws: ProducerFailure.self) { try await bench.run(bench.job(stage: .publish)) }
        #expect(!bench.birst.calls.contains(.publishData))
    }

    @Test("the intent announced to the dispatcher carries the slices of the record produced")
    func announced() async throws {
        let bench = try await SliceBench()
        let job = bench.job(stage: .publish)
        let announced = AnnouncedSlices()
        let end = try await bench.runner.process(
            bench.message(job), decoded: .success(job), stop: StopSignal(), mayBeRedelivered: false,
            announcePublishIntent: { await announced.add($0) })
        #expect(end == .handedOn)
        #expect(await announced.values == [try bench.continuations()[0].slices])
    }

    @Test("publishData answered with a transient SOAP fault: not a lost answer; the job publishes again after its back-off, once")
    func soapFault() async throws {
        let bench = try await SliceBench()
        bench.birst.fail(.publishData, with: BirstError(
            kind: .transient, operation: .publishData, message: "publishData: Server was unable to process request. ---> timeout",
            faultCode: "soap:Server", httpStatus: 500, mayHaveTakenEffect: true))
        #expect(try await bench.run(bench.job(stage: .publish)) == .handedOn)
        let next = try #require(try bench.continuations().last)
        #expect(next.stage == .publish && next.birst.publishRequestedAt == nil)
        #expect(try await bench.run(next) == .handedOn)
        #expect(try bench.continuations().last?.stage == .awaitPublish)
        #expect(bench.birst.publishes.count == 1)
    }

    @Test("publishData refused outright (not applied): the intent is withdrawn and the job publishes after its back-off")
    func refusedOutright() async throws {
        let bench = try await SliceBench()
        bench.birst.fail(.publishData, with: BirstError(kind: .transient, operation: .publishData, message: "Server Too Busy", httpStatus: 503))
        #expect(try await bench.run(bench.job(stage: .publish)) == .handedOn)
        let next = try #require(try bench.continuations().last)
        #expect(next.stage == .publish && next.birst.publishRequestedAt == nil, "nothing ran: no doubt to carry on")
        #expect(try await bench.run(next) == .handedOn)
        #expect(bench.birst.publishes.count == 1, "published on the next slice")
    }
}

/// The slices a runner announced, in order.
private actor AnnouncedSlices {
    var values: [Int] = []
    func add(_ value: Int) { values.append(value) }
}
