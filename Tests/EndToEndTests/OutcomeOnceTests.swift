import Baton
import BatonTestSupport
import Foundation
import Testing

extension HandOffTests {
    /// Issue 10, scenario 1's repeated outcome made deterministic: the worker is killed
    /// while its notify stage waits on the webhook, after the outcome was acknowledged and
    /// before the message could be committed.
    @Test("SIGKILL between the outcome's acknowledgement and the commit: the next owner records no second outcome")
    func sigkillAfterOutcome() async throws {
        let hook = HoldingWebhook()
        try await hook.run { url in
            let harness = try await EndToEndHarness("outcome-once", settings: ["notify.webhook": url])
            defer { Task { await harness.stop() } }
            try await harness.putReport("once.csv", size: 10_000)
            var workers = try await startWorkers(harness, ["once-1"])
            defer { for worker in workers.values { worker.kill() } }
            let jobId = try #require(try await harness.publish(["once.csv"]).first)

            // The outcome is produced and acknowledged before the webhook is called.
            try await withTimeout(90, "the first run's webhook call") { await hook.calls(1) }
            workers["once-1"]!.kill()
            let first = try #require(try await harness.outcomes(1, within: 10).first { $0.jobId == jobId })
            #expect(first.status == .completed)

            workers["once-2"] = try harness.spawnWorker("once-2")
            let second = workers["once-2"]!
            try await withTimeout(90, "the second run's webhook call") { await hook.calls(2) }
            try await eventually(20, "the second worker to finish the job") { second.logged("job finished", jobId: jobId) }
            #expect(second.logged("outcome already recorded by an earlier run of this message; not repeated", jobId: jobId))
            let outcomes = try await harness.allOutcomes().filter { $0.jobId == jobId }
            #expect(outcomes.count == 1, "\(describe(outcomes))")
        }
    }
}
