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
        // The next owner cannot know how many bytes the handed-on token holds (the message
        // may have run before it took the partition), so it starts over on a new token:
        // only that one is finished, and it is exact.
        let finished = inspection.uploads.filter(\.finished)
        #expect(finished.count == 1, "one finished upload: \(inspection.uploads.map { "\($0.bytesReceived) finished=\($0.finished)" })")
        #expect(finished.first?.sha256 == EndToEndHarness.sha256(report), "Birst has exactly the report's bytes")
        #expect(inspection.uploads.count <= 2)
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

    /// Birst appends `uploadData` chunks blindly. Before, the next owner of a message whose
    /// slice was killed mid-upload resumed the same token at the offset the message
    /// recorded, so the chunks the killed slice had sent were in Birst twice and the job
    /// still completed. Now a message written before its owner took the partition never
    /// resumes its token: the upload starts over, exact.
    @Test("SIGKILL mid-upload after a hand-off: the redelivered message starts the upload over; Birst holds exactly the report")
    func sigkillMidUpload() async throws {
        let harness = try await EndToEndHarness("sigkill-upload", settings: ["worker.sliceBudget": "2s", "worker.safetyMargin": "300ms"]) { simulator in
            simulator.settings.faults = FaultPlan(operations: ["uploadData": FaultKnobs(latencySeconds: 0.1)])
        }
        defer { Task { await harness.stop() } }
        let report = try await harness.putReport("long.csv", size: 2_000_000)
        var workers = try await startWorkers(harness, ["u1", "u2"])
        defer { for worker in workers.values { worker.kill() } }
        let jobId = try #require(try await harness.publish(["long.csv"]).first)

        // One slice handed the upload on part-way; the next slice is sending more chunks.
        let running = workers
        try await eventually(60, "an upload hand-off part-way") {
            running.values.contains { $0.logged("handed on", jobId: jobId, where: ["handoff": "budget", "nextStage": "upload"]) }
        }
        let owner = try #require(running.first { $0.value.logged("handed on", jobId: jobId, where: ["handoff": "budget", "nextStage": "upload"]) }?.key)
        let handedOnBytes = harness.simulator.inspect().uploads.first?.bytesReceived ?? 0
        try await eventually(30, "more chunks after the hand-off") {
            (harness.simulator.inspect().uploads.first?.bytesReceived ?? 0) >= handedOnBytes + 3 * 65_536
        }
        workers[owner]!.kill()
        workers[owner] = nil

        let outcomes = try await harness.outcomes(1, within: 90)
        #expect(outcomes.first?.status == .completed, "\(describe(outcomes))")
        let inspection = harness.simulator.inspect()
        let finished = inspection.uploads.filter(\.finished)
        #expect(finished.count == 1, "\(inspection.uploads.map { "\($0.bytesReceived) B finished=\($0.finished)" })")
        #expect(finished.first?.bytesReceived == Int64(report.count))
        #expect(finished.first?.sha256 == EndToEndHarness.sha256(report), "Birst holds exactly the report, no chunk twice")
        let survivor = try #require(workers.values.first)
        #expect(survivor.logged("the message may have been run before; starting its upload over on a new token", jobId: jobId))
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
