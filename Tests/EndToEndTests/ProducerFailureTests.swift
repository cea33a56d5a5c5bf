import Baton
import BatonTestSupport
import BirstSimulator
import Foundation
import Kafka
import Testing

@Suite("End to end: the producer fails for good")
struct ProducerFailureTests {
    static let producerFenced: Int32 = 90

    /// librdkafka's mock cluster fences the worker's producer mid-run (as Tansu does after
    /// a stall longer than the session): before, the worker retried every hand-off
    /// forever and, once stopped, committed past them; now it stops by itself, non-zero,
    /// and a new worker finds every job.
    @Test("a fenced producer: the worker exits non-zero without committing past its jobs; a new worker completes each exactly once")
    func fenced() async throws {
        let cluster = try KafkaMockCluster()
        let harness = try await EndToEndHarness("fenced", settings: [
            "kafka.bootstrapServers": cluster.bootstrapServers,
            "worker.sliceBudget": "1s", "worker.safetyMargin": "200ms",
        ], mockCluster: cluster) { simulator in
            simulator.settings.uploadJob.durationSeconds = 200  // 2 s at the harness's time scale
        }
        defer { Task { await harness.stop() } }
        var reports: [String: [UInt8]] = [:]
        for key in ["a.csv", "b.csv", "c.csv"] { reports[key] = try await harness.putReport(key, size: 100_000) }
        let jobs = try await harness.publish(reports.keys.sorted())

        let first = try await harness.startWorker("first")
        try await eventually(60, "every job to be uploading") { harness.simulator.inspect().uploads.count == 3 }
        cluster.failRequests(.produce, with: Self.producerFenced, count: 100_000)

        try await eventually(60, "the fenced worker to stop by itself") { !first.isRunning }
        await #expect(throws: WorkerStop.self, "the worker's exit is not a clean one") { try await first.stop() }
        cluster.clearFailures(.produce)

        let second = try await harness.startWorker("second")
        let outcomes = try await harness.outcomes(3, within: 90)
        try await second.stop()

        #expect(Set(outcomes.map(\.jobId)) == Set(jobs), "\(describe(outcomes))")
        #expect(outcomes.allSatisfy { $0.status == .completed }, "\(describe(outcomes))")
        let fourth = try? await harness.outcomes(4, within: 3)
        #expect(fourth == nil, "exactly one outcome per job: \(describe(fourth ?? []))")
        let inspection = harness.simulator.inspect()
        #expect(inspection.publishes.count == 3, "one publish per job")
        for (key, bytes) in reports {
            let finished = inspection.uploads.filter { $0.sourceName == (key as NSString).deletingPathExtension && $0.sha256 == EndToEndHarness.sha256(bytes) }
            #expect(!finished.isEmpty, "\(key) reached Birst whole")
        }
    }
}
