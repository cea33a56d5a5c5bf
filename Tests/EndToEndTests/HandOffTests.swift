import Baton
import BatonTestSupport
import BirstSimulator
import Foundation
import Kafka
import Testing

@Suite("End to end: workers stopping and dying")
struct HandOffTests {
    /// Three worker processes that have all joined the group.
    func startWorkers(_ harness: EndToEndHarness, _ ids: [String]) async throws -> [String: ChildProcess] {
        var workers: [String: ChildProcess] = [:]
        for id in ids { workers[id] = try harness.spawnWorker(id) }
        let started = workers
        try await eventually(40, "every worker to get partitions") { started.values.allSatisfy(\.hasAssignment) }
        return workers
    }

    func owner(of jobId: String, among workers: [String: ChildProcess], message: String) -> String? {
        workers.first { $0.value.logged(message, jobId: jobId) }?.key
    }

    @Test("SIGTERM during upload and during awaitPublish: the job continues elsewhere from where it stopped, nothing lost, no retry spent")
    func sigterm() async throws {
        let harness = try await EndToEndHarness("sigterm", settings: ["worker.sliceBudget": "8s", "worker.safetyMargin": "500ms"]) { simulator in
            simulator.settings.publishJob.durationSeconds = 1500
            simulator.settings.faults = FaultPlan(operations: ["uploadData": FaultKnobs(latencySeconds: 0.2)])
        }
        defer { Task { await harness.stop() } }
        let report = try await harness.putReport("big.csv", size: 3_000_000)
        var workers = try await startWorkers(harness, ["w1", "w2", "w3"])
        let everyone = workers
        defer { for worker in everyone.values { worker.kill() } }
        let jobId = try #require(try await harness.publish(["big.csv"]).first)

        // Upload under way on its owner: stop it.
        try await eventually(30, "the upload to start") {
            (harness.simulator.inspect().uploads.first?.bytesReceived ?? 0) > 200_000
        }
        let uploader = try #require(owner(of: jobId, among: workers, message: "upload started"))
        workers[uploader]!.signal(SIGTERM)
        #expect(try await workers[uploader]!.wait(timeout: .seconds(15)) == 0, "a clean exit within the shutdown grace")
        #expect(workers[uploader]!.logged("handed on", jobId: jobId, where: ["handoff": "shutdown", "stage": "upload"]))
        workers[uploader] = nil

        // Publishing under way on the next owner: stop that one too.
        try await eventually(60, "the publish to start") { !harness.simulator.inspect().publishes.isEmpty }
        let survivors = workers
        try await eventually(30, "a slice polling the publish") {
            survivors.values.contains { $0.logged("slice started", jobId: jobId, where: ["stage": "awaitPublish"]) }
        }
        let poller = try #require(survivors.first { $0.value.logged("slice started", jobId: jobId, where: ["stage": "awaitPublish"]) }?.key)
        workers[poller]!.signal(SIGTERM)
        #expect(try await workers[poller]!.wait(timeout: .seconds(15)) == 0)
        workers[poller] = nil

        let outcomes = try await harness.outcomes(1, within: 90)
        #expect(outcomes.first?.status == .completed, "\(outcomes.first?.message ?? "")")

        let inspection = harness.simulator.inspect()
        #expect(inspection.uploads.count == 1, "the upload resumed on the same token instead of starting over")
        #expect(inspection.uploads.first?.sha256 == EndToEndHarness.sha256(report))
        #expect(inspection.publishes.count == 1, "published exactly once")

        let messages = try await harness.jobMessages(atLeast: outcomes.first?.slices ?? 1)
        // A job's messages sit in one partition, in order: each one's input is the one before.
        let history = messages.filter { $0.envelope?.jobId == jobId }.sorted { $0.offset < $1.offset }
        let handoffs = history.indices.dropFirst().filter { history[$0].headerString(JobHeaders.handoff) == "shutdown" }
        #expect(handoffs.count >= 2, "one hand-off per SIGTERM: \(history.map { "\($0.offset) \($0.headerString(JobHeaders.worker) ?? "-") \($0.headerString(JobHeaders.handoff) ?? "new") \($0.envelope?.stage.rawValue ?? "")" })")
        for index in handoffs {
            #expect(history[index].envelope?.retriesLeft == history[index - 1].envelope?.retriesLeft, "a shutdown hand-off spends no retry")
        }
        let shutdownHandOffs = handoffs.map { history[$0] }
        let secrets = ["baton-dev"] + inspection.logins.map(\.token)
        for (id, worker) in everyone {
            let log = worker.log
            #expect(!log.isEmpty)
            #expect(!secrets.contains { log.contains($0) }, "worker \(id) logged the Birst password or a login token")
        }
        #expect(shutdownHandOffs.contains { $0.envelope?.stage == .upload && ($0.envelope?.birst.uploadedBytes ?? 0) > 0 }, "the upload's offset travels with the job")
        harness.expectExactUploads()
    }

    @Test("SIGKILL mid-slice: the job is redelivered after the rebalance and completes; the publish is not repeated")
    func sigkill() async throws {
        let harness = try await EndToEndHarness("sigkill", settings: ["worker.sliceBudget": "3s"]) { simulator in
            simulator.settings.publishJob.durationSeconds = 1200
        }
        defer { Task { await harness.stop() } }
        try await harness.putReport("daily.csv", size: 100_000)
        var workers = try await startWorkers(harness, ["k1", "k2"])
        defer { for worker in workers.values { worker.kill() } }
        let jobId = try #require(try await harness.publish(["daily.csv"]).first)

        try await eventually(60, "the publish to start") { !harness.simulator.inspect().publishes.isEmpty }
        let running = workers
        try await eventually(30, "a slice polling the publish") {
            running.values.contains { $0.logged("slice started", jobId: jobId, where: ["stage": "awaitPublish"]) }
        }
        let victim = try #require(running.first { $0.value.logged("slice started", jobId: jobId, where: ["stage": "awaitPublish"]) }?.key)
        workers[victim]!.kill()
        workers[victim] = nil

        let outcomes = try await harness.outcomes(1, within: 90)
        #expect(outcomes.first?.status == .completed, "\(outcomes.first?.message ?? "")")
        #expect(harness.simulator.inspect().publishes.count == 1, "the redelivered job did not publish again")
        let survivor = try #require(workers.values.first)
        try await eventually(10, "the survivor to finish the job") { survivor.logged("job finished", jobId: jobId) }
        harness.expectExactUploads()
    }
}
