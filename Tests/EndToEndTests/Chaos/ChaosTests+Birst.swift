import Baton
import BatonTestSupport
import BirstSimulator
import Foundation
import Testing

/// Scenarios 5 and 6: Birst away, refusing the login, and answering late.
extension ChaosTests {
    /// 5. With jobs in flight, Birst is unreachable (the simulator stopped: connections
    /// refused) for longer than a slice budget, then back on the same port; later its
    /// password is changed under the workers, then changed back.
    @Sendable
    static func birstUnreachableThenLoginRefused(_ size: ChaosSize) async throws -> ChaosAudit {
        let began = ContinuousClock.now
        let budget = 1.5
        let settings = ["worker.sliceBudget": "1500ms", "worker.environmentRecheck": "300ms", "worker.concurrency": "64"]
        let harness = try await EndToEndHarness("chaos-environment", settings: settings, s3SecretAccessKey: scenarioSecret()) { simulator in
            simulator.port = closedLoopbackPort()  // fixed, so it can come back where the workers look
            simulator.settings.uploadJob.durationSeconds = 300  // 3 s
            simulator.settings.publishJob.durationSeconds = 500  // 5 s
        }
        let fleet = ChaosFleet(harness)
        let jobs: [String]
        do {
            let keys = try await putReports(harness, size.environmentJobs, prefix: "e")
            try await fleet.start(2)
            jobs = try await harness.publish(keys, retries: 30)
            try await eventually(60, "uploads under way") { harness.simulator.inspect().uploads.count >= max(1, jobs.count / 2) }

            await harness.simulator.stop()
            try await eventually(30, "a worker to report Birst unreachable", every: .milliseconds(500)) {
                fleet.everyone.values.contains { $0.logLines.contains { $0["health"] == "unhealthy" } }
            }
            try await Task.sleep(for: .seconds(3 * budget))  // the outage lasts beyond a slice budget
            try await harness.simulator.start()

            try await eventually(60, "progress after the outage") { !harness.simulator.inspect().publishes.isEmpty }
            harness.simulator.setPassword("rotated-by-an-administrator", for: "baton")
            harness.simulator.restartServers()
            try await eventually(30, "a worker to report the login refused", every: .milliseconds(500)) {
                fleet.everyone.values.contains { $0.logLines.contains { $0["health"] == "unhealthy" && $0["errorKind"] == "birst-login" } }
            }
            try await Task.sleep(for: .seconds(2 * budget))  // the wrong password stays a while
            harness.simulator.setPassword("baton-dev", for: "baton")
        } catch {
            throw await abandon(harness, fleet, error)
        }
        let (audit, _) = try await finish(
            harness, fleet, scenario: "5 Birst unreachable \(3 * budget) s, then login refused", jobs: jobs,
            within: size.full ? 240 : 150, began: began)
        #expect(audit.deadLettered == 0, "5: no job dead-lettered")
        #expect(audit.completed == jobs.count, "5: every job completed: \(describe(audit.notCompleted))")
        return audit
    }

    /// 6. A fifth of the answers to every Birst operation come after the call has been
    /// applied and after the client's call deadline (`birst.callTimeout` 1 s, answer
    /// 1.5 s late): each such call counts as possibly applied.
    @Sendable
    static func lateAnswers(_ size: ChaosSize) async throws -> ChaosAudit {
        let began = ContinuousClock.now
        // publishData's own deadline stays below the late answers' 1.5 s: lost answers must
        // still happen, so the unknown-fate path is exercised and audited.
        let settings = ["birst.callTimeout": "1s", "birst.publishTimeout": "1s", "worker.sliceBudget": "3s", "worker.concurrency": "64"]
        let harness = try await EndToEndHarness("chaos-late", settings: settings, s3SecretAccessKey: scenarioSecret()) { simulator in
            simulator.settings.publishJob.durationSeconds = 300  // 3 s
            simulator.settings.faults = FaultPlan(all: FaultKnobs(delayAfterApplySeconds: 1.5, delayAfterApplyRate: 0.2))
        }
        let fleet = ChaosFleet(harness)
        let jobs: [String]
        do {
            let keys = try await putReports(harness, size.lateAnswerJobs, prefix: "l")
            try await fleet.start(2)
            jobs = try await harness.publish(keys, retries: 100)
        } catch {
            throw await abandon(harness, fleet, error)
        }
        let (audit, _) = try await finish(
            harness, fleet, scenario: "6 20 % of Birst answers past the deadline", jobs: jobs, within: size.full ? 300 : 180, began: began)
        let calls = harness.simulator.inspect().calls
        let late = Dictionary(grouping: calls.filter { $0.injected == "delayAfterApply" }, by: { $0.operation ?? "-" }).mapValues(\.count)
        print("chaos: 6 late answers by operation \(late.sorted { $0.key < $1.key }) of \(calls.count) calls")
        #expect(late.values.reduce(0, +) > 0 && late.count >= 3, "6: late answers on several operations: \(late)")
        #expect(audit.extraOutcomes == 0, "6: one outcome per job")
        // Every late publishData answer is a publish of unknown fate: that job, and only
        // that one, ends unconfirmed; every other job completes.
        #expect(audit.unconfirmed == late["publishData", default: 0], "6: one unconfirmed job per lost publishData answer: \(late)")
        #expect(audit.completed + audit.unconfirmed == jobs.count, "6: every job completed or unconfirmed: \(describe(audit.notCompleted))")
        return audit
    }
}
