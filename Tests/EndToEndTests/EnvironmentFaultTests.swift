import Baton
import BatonTestSupport
import BirstSimulator
import Foundation
import Kafka
import Testing

/// Faults of the worker's environment are not the jobs' faults (DESIGN.md §4): before,
/// one wrong Birst password dead-lettered every job on its first slice and mailed a
/// failure for each; now the worker pauses, hands its jobs on without spending retries,
/// and resumes by itself once the fault clears.
@Suite("End to end: Birst credentials wrong, then fixed")
struct EnvironmentFaultTests {
    static let settings = ["worker.environmentRecheck": "300ms", "worker.sliceBudget": "2s"]

    @Test("the password changes under running jobs, then is fixed: nothing dead-lettered, no retry spent, every job completes")
    func passwordRotatedWhileRunning() async throws {
        let harness = try await EndToEndHarness("bad-password", settings: Self.settings) { simulator in
            simulator.settings.uploadJob.durationSeconds = 300  // 3 s at the harness's time scale
        }
        defer { Task { await harness.stop() } }
        var reports: [String: [UInt8]] = [:]
        for key in ["p1.csv", "p2.csv", "p3.csv"] { reports[key] = try await harness.putReport(key, size: 40_000) }
        let worker = try harness.spawnWorker("w")
        defer { worker.kill() }
        try await eventually(40, "the worker to get partitions") { worker.hasAssignment }
        let jobs = try await harness.publish(reports.keys.sorted(), retries: 20)
        try await eventually(30, "every job to be uploading") { harness.simulator.inspect().uploads.count == 3 }

        // An administrator rotates the password; every server forgets its sessions.
        harness.simulator.setPassword("rotated", for: "baton")
        harness.simulator.restartServers()
        try await eventually(30, "the worker to report itself unhealthy") {
            worker.logLines.contains { $0["health"] == "unhealthy" && $0["errorKind"] == "birst-login" }
        }
        #expect(worker.logged("environment fault; handing the job on"), "jobs in flight were handed on")
        let loginsWhileBroken = harness.simulator.inspect().logins.count
        harness.simulator.setPassword("baton-dev", for: "baton")  // fixed

        let outcomes = try await harness.outcomes(3, within: 90)
        #expect(Set(outcomes.map(\.jobId)) == Set(jobs))
        #expect(outcomes.allSatisfy { $0.status == .completed }, "\(describe(outcomes))")
        #expect(harness.simulator.inspect().logins.count > loginsWhileBroken, "it logged in again after the fix")
        #expect(worker.logLines.contains { $0["msg"] == "birst works again; taking jobs" })
        let deadLetters = try? await harness.deadLetters(1, within: 2)
        #expect(deadLetters == nil, "nothing dead-lettered")
        #expect(jobs.flatMap { harness.mails(containing: $0) }.allSatisfy { !$0.contains("dead-lettered") }, "no failure e-mail")

        // Hand-offs for the environment spend no retry.
        let messages = try await harness.jobMessages(atLeast: 3, within: 15) { messages in
            messages.contains { $0.headerString(JobHeaders.handoff) == "environment" }
        }
        let environmentHandOffs = messages.filter { $0.headerString(JobHeaders.handoff) == "environment" }
        for message in environmentHandOffs {
            let inputs = messages.filter { $0.envelope?.jobId == message.envelope?.jobId && $0.envelope?.slices == (message.envelope?.slices ?? 0) - 1 }
            for input in inputs { #expect(input.envelope?.retriesLeft == message.envelope?.retriesLeft, "no retry spent") }
        }
        worker.signal(SIGTERM)
        #expect(try await worker.wait(timeout: .seconds(20)) == 0)
    }

    @Test("a wrong password at start-up: the worker says so and does not join the group until it is fixed")
    func wrongPasswordAtStart() async throws {
        let harness = try await EndToEndHarness("start-password", settings: Self.settings)
        defer { Task { await harness.stop() } }
        try await harness.putReport("s.csv", size: 10_000)
        harness.simulator.setPassword("something-else", for: "baton")
        let worker = try harness.spawnWorker("w")
        defer { worker.kill() }
        let jobs = try await harness.publish(["s.csv"])
        try await eventually(30, "the start-up check to fail") {
            worker.logLines.contains { ($0["msg"] ?? "").hasPrefix("start-up check failed: Birst refused the login") }
        }
        #expect(!worker.hasAssignment, "it did not join the group")
        harness.simulator.setPassword("baton-dev", for: "baton")
        let outcomes = try await harness.outcomes(1, within: 60)
        #expect(outcomes.map(\.jobId) == jobs)
        #expect(outcomes.first?.status == .completed, "\(describe(outcomes))")
        #expect(worker.logged("start-up check passed: Birst login works and S3 is readable"))
        worker.signal(SIGTERM)
        #expect(try await worker.wait(timeout: .seconds(20)) == 0)
    }

    @Test("SIGTERM while the start-up check waits for a silent Birst: the worker stops at once, without joining the group")
    func sigtermDuringStartupCheck() async throws {
        let settings = Self.settings.merging(["birst.callTimeout": "120s"]) { $1 }
        let harness = try await EndToEndHarness("start-sigterm", settings: settings) { simulator in
            simulator.settings.faults.operations["Login"] = FaultKnobs(latencySeconds: 60)
        }
        defer { Task { await harness.stop() } }
        let worker = try harness.spawnWorker("w")
        defer { worker.kill() }
        try await eventually(30, "the start-up check to begin") { worker.logged("start-up check: logging in to Birst and reading S3") }
        worker.signal(SIGTERM)
        // Before the fix the worker went on waiting for the login's answer (up to birst.callTimeout).
        #expect(try await worker.wait(timeout: .seconds(15)) == 0)
        #expect(worker.logged("stopped before the start-up check passed"))
        #expect(worker.logged("worker stopped"), "the usual last line")
        #expect(!worker.logged("worker started"), "it never joined the group")
    }
}
