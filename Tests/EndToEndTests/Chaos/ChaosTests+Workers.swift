import Baton
import BatonTestSupport
import BirstSimulator
import Foundation
import Kafka
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Scenarios 1–3: workers killed, the broker frozen, a rolling restart.
extension ChaosTests {
    /// 1. Three workers; every 5 s one of them is SIGKILLed and a new one started, while
    /// Birst answers 10 % of all calls with a transient fault.
    @Sendable
    static func sigkillEveryFiveSeconds(_ size: ChaosSize) async throws -> ChaosAudit {
        let began = ContinuousClock.now
        let harness = try await EndToEndHarness(
            "chaos-kill", settings: ["worker.concurrency": "64"], s3SecretAccessKey: scenarioSecret()
        ) { simulator in
            simulator.settings.publishJob.durationSeconds = 300  // 3 s at the harness's time scale
            simulator.settings.faults = FaultPlan(all: FaultKnobs(transientFaultRate: 0.1))
        }
        let fleet = ChaosFleet(harness)
        var kills = 0
        let jobs: [String]
        do {
            let keys = try await putReports(harness, size.killJobs, prefix: "k")
            try await fleet.start(3)
            jobs = try await harness.publish(keys)
            let end = ContinuousClock.now + .seconds(size.killSeconds)
            while ContinuousClock.now < end {
                try await Task.sleep(for: .seconds(5))  // the fault's cadence, not a synchronisation
                // A worker holding partitions, so that the kill cuts slices off.
                let live = fleet.live
                guard let victim = (live.filter { $0.value.hasAssignment }.keys.randomElement() ?? live.keys.randomElement()) else { break }
                fleet.kill(victim)
                try fleet.start()
                kills += 1
            }
            // A worker that stops by itself after all this is restarted, as a deployment would.
            fleet.supervise()
        } catch {
            throw await abandon(harness, fleet, error)
        }
        let (audit, exits) = try await finish(
            harness, fleet, scenario: "1 SIGKILL every 5 s (\(kills) kills), Birst faults 10 %", jobs: jobs,
            within: size.full ? 420 : 180, began: began)
        // A SIGKILL between an outcome's acknowledgement and the commit of its message
        // redelivers the message; the next owner finds the outcome (OutcomeLedger) and
        // records no second one, in both forms.
        #expect(audit.extraOutcomes == 0, "1: exactly one outcome per job")
        // A kill between publishData and the acknowledgement of its token leaves a publish
        // of unknown fate: that job ends unconfirmed (never published twice), not completed.
        #expect(audit.completed + audit.unconfirmed == jobs.count && audit.deadLettered == 0, "1: every job completed or unconfirmed: \(describe(audit.notCompleted))")
        #expect(exits.values.allSatisfy { $0 == 0 }, "1: the surviving workers stopped cleanly: \(exits)")
        return audit
    }

    /// 2. The broker (through the adapter of a stack of the scenario's own) holds every
    /// byte for longer than the session timeout while jobs are in flight, then resumes.
    @Sendable
    static func brokerFrozen(_ size: ChaosSize) async throws -> ChaosAudit {
        try await PrivateStack.run("chaos-freeze") { privateStack in
            let began = ContinuousClock.now
            let settings = [
                // Shorter than the freeze (as BrokerStallTests): hand-offs time out during the
                // stall, and producers may come back fenced.
                "kafka.deliveryTimeout": "5s", "worker.concurrency": "64",
            ]
            let harness = try await EndToEndHarness(
                "chaos-freeze", settings: settings, stack: privateStack.stack, s3SecretAccessKey: scenarioSecret()
            ) { simulator in
                simulator.settings.publishJob.durationSeconds = 600  // 6 s
            }
            let fleet = ChaosFleet(harness)
            let jobs: [String]
            do {
                let keys = try await putReports(harness, size.freezeJobs, prefix: "f")
                try await fleet.start(size.full ? 3 : 2)
                fleet.supervise()
                jobs = try await harness.publish(keys)
                try await eventually(60, "publishes under way before the freeze") {
                    harness.simulator.inspect().publishes.count >= max(1, jobs.count / 4)
                }
                try await privateStack.setFaults(#"{"freeze": true}"#, http: harness.http)
                do {
                    try await Task.sleep(for: .seconds(size.freezeSeconds))  // the fault's duration
                } catch {
                    try? await privateStack.setFaults(#"{"freeze": false}"#, http: harness.http)
                    throw error
                }
                try await privateStack.setFaults(#"{"freeze": false}"#, http: harness.http)
            } catch {
                throw await abandon(harness, fleet, error)
            }
            let (audit, _) = try await finish(
                harness, fleet, scenario: "2 broker frozen \(Int(size.freezeSeconds)) s (session 6 s)",
                jobs: jobs, within: size.full ? 300 : 180, began: began)
            print("chaos: 2 workers that stopped by themselves after the freeze and were replaced: \(fleet.replaced)")
            // An outcome can still repeat after a lost partition, when the old owner's lands
            // after the new owner looked (README, Outcomes once), so extra ones are shown, not
            // failed; lost, duplicate publishes and inexact uploads must be 0. A worker cut off
            // after publishData, before its token was acknowledged, leaves a publish of unknown
            // fate: the job ends unconfirmed rather than publish twice. (The group stall that
            // once left every job here waiting was Tansu keeping a departed leader; the
            // adapter works around it: docs/chaos.md, "The group stall after a freeze".)
            #expect(
                audit.completed + audit.unconfirmed == jobs.count && audit.deadLettered == 0,
                "2: every job completed or unconfirmed: \(describe(audit.notCompleted))")
            return audit
        }
    }

    /// 3. A rolling restart: each worker in turn gets SIGTERM and, once it has exited, a
    /// new one is started; the next waits until the new one has partitions.
    @Sendable
    static func rollingRestart(_ size: ChaosSize) async throws -> ChaosAudit {
        let began = ContinuousClock.now
        let harness = try await EndToEndHarness(
            "chaos-rolling", settings: ["worker.concurrency": "64"], s3SecretAccessKey: scenarioSecret()
        ) { simulator in
            simulator.settings.publishJob.durationSeconds = 500  // 5 s
        }
        let fleet = ChaosFleet(harness)
        let jobs: [String]
        var stops: [String: Int32] = [:]
        do {
            let keys = try await putReports(harness, size.rollingJobs, prefix: "r")
            try await fleet.start(3)
            jobs = try await harness.publish(keys)
            try await eventually(60, "publishes under way before the restart") { !harness.simulator.inspect().publishes.isEmpty }
            // As a rolling update with no surge: SIGTERM to one worker, and once it has
            // exited a new one, which has partitions once the group has settled. (Starting
            // the new one first, so that a join and a leave overlap, left the group on Tansu
            // without any assignment for over 90 s in 3 of 5 runs: docs/chaos.md.)
            for old in fleet.live.keys.sorted() {
                stops[old] = try await fleet.terminate(old)
                let new = try fleet.start()
                try await fleet.awaitAssigned([new], within: 90)
            }
        } catch {
            throw await abandon(harness, fleet, error)
        }
        let (audit, exits) = try await finish(
            harness, fleet, scenario: "3 rolling restart of 3 workers", jobs: jobs, within: size.full ? 300 : 150, began: began)
        let (handOffs, spent) = try await restartHandOffs(harness)
        #expect(stops.values.allSatisfy { $0 == 0 } && exits.values.allSatisfy { $0 == 0 }, "3: every worker stopped cleanly on SIGTERM: \(stops) \(exits)")
        #expect(handOffs > 0, "3: the restart handed jobs on (else it proved nothing)")
        #expect(spent == 0, "3: \(spent) of \(handOffs) hand-offs for the restart spent a retry")
        #expect(audit.extraOutcomes == 0 && audit.completed == jobs.count, "3: one outcome per job, all completed: \(describe(audit.notCompleted))")
        print("chaos: 3 hand-offs for the restart (shutdown, rebalance) \(handOffs), retries spent by them \(spent)")
        return audit
    }

    /// Hand-offs a restart causes on the jobs topic (`baton-handoff` `shutdown`, or
    /// `rebalance` as partitions move to the new workers), and how many of them carry fewer
    /// retries than the message they continue: the job's previous message (a job's
    /// messages share one partition, in order).
    static func restartHandOffs(_ harness: EndToEndHarness) async throws -> (handOffs: Int, spent: Int) {
        let records = try await harness.readToEnd(try await harness.configuration().topics.jobs.name, partitions: 3, within: 60)
        let histories = Dictionary(grouping: records.compactMap { record in record.envelope.map { (record, $0) } }, by: \.1.jobId)
            .mapValues { $0.sorted { $0.0.offset < $1.0.offset } }
        var handOffs = 0
        var spent = 0
        for history in histories.values {
            for index in history.indices.dropFirst() where ["shutdown", "rebalance"].contains(history[index].0.headerString(JobHeaders.handoff)) {
                handOffs += 1
                if history[index].1.retriesLeft != history[index - 1].1.retriesLeft { spent += 1 }
            }
        }
        return (handOffs, spent)
    }
}
