import Baton
import BatonTestSupport
import BirstSimulator
import Foundation
import Kafka
import Testing

@Suite("End to end: jobs that cannot finish end with a reason")
struct FailureTests {
    @Test("retries exhausted: dead letter retries-exhausted, a dead-lettered outcome and a failure e-mail")
    func retriesExhausted() async throws {
        let harness = try await EndToEndHarness("exhausted") { simulator in
            simulator.settings.publishJob.durationSeconds = 100_000
        }
        defer { Task { await harness.stop() } }
        try await harness.putReport("slow.csv", size: 50_000)
        let worker = try await harness.startWorker()
        let jobId = try #require(try await harness.publish(["slow.csv"], retries: 3).first)

        let deadLetters = try await harness.deadLetters(1, within: 60)
        let outcomes = try await harness.outcomes(1, within: 30)
        try await eventually(20, "an e-mail about job \(jobId)") { !harness.mails(containing: jobId).isEmpty }
        try await worker.stop()

        let letter = try #require(deadLetters.first)
        #expect(letter.headerString(JobHeaders.errorKind) == "retries-exhausted")
        #expect(letter.headerString(JobHeaders.error)?.contains("no retries left") == true)
        #expect(letter.envelope?.jobId == jobId, "the dead letter carries the job as it stood")
        #expect(outcomes.first?.status == .deadLettered)
        #expect(outcomes.first?.errorKind == "retries-exhausted")
        let mail = try #require(harness.mails(containing: jobId).first)
        #expect(mail.contains("Subject: [baton] dead-lettered: s3://\(harness.bucket)/slow.csv"))
        #expect(mail.contains("no retries left"))
    }

    @Test("Birst reports the publish as Failed: a failed outcome with Birst's message")
    func birstFailed() async throws {
        let harness = try await EndToEndHarness("birst-failed") { simulator in
            simulator.settings.publishJob = JobBehaviour(durationSeconds: 100, status: "Failed", message: "Processing group 'Sales' failed: 3 rows rejected")
        }
        defer { Task { await harness.stop() } }
        try await harness.putReport("broken.csv", size: 20_000)
        let worker = try await harness.startWorker()
        _ = try await harness.publish(["broken.csv"])

        let outcomes = try await harness.outcomes(1, within: 60)
        let deadLetters = try await harness.deadLetters(1, within: 10)
        try await worker.stop()
        #expect(outcomes.first?.status == .failed)
        #expect(outcomes.first?.message == "Processing group 'Sales' failed: 3 rows rejected")
        #expect(deadLetters.first?.headerString(JobHeaders.errorKind) == "birst-failed")
    }

    @Test("20 % transient Birst faults on every operation: every job still completes")
    func transientFaults() async throws {
        let harness = try await EndToEndHarness("transient") { simulator in
            simulator.settings.faults = FaultPlan(all: FaultKnobs(transientFaultRate: 0.2))
        }
        defer { Task { await harness.stop() } }
        let names = ["t1", "t2", "t3"]
        for name in names { try await harness.putReport("\(name).csv", size: 200_000) }
        let worker = try await harness.startWorker()
        _ = try await harness.publish(names.map { "\($0).csv" })

        let outcomes = try await harness.outcomes(3, within: 90)
        try await worker.stop()
        #expect(outcomes.allSatisfy { $0.status == .completed }, "\(describe(outcomes))")
        let inspection = harness.simulator.inspect()
        #expect(inspection.calls.contains { $0.injected != nil }, "faults were injected")
        for name in names {
            #expect(inspection.publishes.filter { $0.spaceID == "space-\(name)" }.count == 1, "\(name) published exactly once")
        }
        harness.expectExactUploads()
    }
}
