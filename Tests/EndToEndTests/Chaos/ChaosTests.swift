import Baton
import BatonTestSupport
import BirstSimulator
import Foundation
import Testing

/// Issue 10's chaos suite: scripted runs of real `baton worker` processes against the
/// real local stack (Tansu behind the adapter, moto S3, SMTP, the Birst simulator over
/// HTTP), each ending with an audit of the record (``ChaosAudit``), printed as one table
/// (``ChaosTable``). Sizes come from `BATON_TEST_CHAOS` (``ChaosSize``); `BATON_TEST_CHAOS_SCENARIOS`
/// (e.g. `1,4`) runs only some scenarios. The scenarios run one after another: each starts
/// several worker processes, and on two cores beside the rest of the suite that is load
/// enough.
@Suite("Chaos: faults under load, audited")
struct ChaosTests {
    static let size = ChaosSize.current

    /// The scenarios by number, with what each must show beyond the counts every
    /// scenario must keep at zero (``ChaosAudit/violations``).
    static let scenarios: [(number: Int, run: @Sendable (ChaosSize) async throws -> ChaosAudit)] = [
        (1, sigkillEveryFiveSeconds), (2, brokerFrozen), (3, rollingRestart), (4, hostileEvents),
        (5, birstUnreachableThenLoginRefused), (6, lateAnswers),
    ]

    static var selected: Set<Int> {
        guard let list = ProcessInfo.processInfo.environment["BATON_TEST_CHAOS_SCENARIOS"], !list.isEmpty else { return Set(1...7) }
        return Set(list.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) })
    }

    @Test(
        "scenarios 1–6 under their faults, then scenario 7 over all of them: nothing lost, no duplicate publish, every upload identical, no secret in a log line or topic record",
        .timeLimit(.minutes(TestTime.minutes(size.full ? 25 : 10)))
    )
    func chaos() async throws {
        var audits: [ChaosAudit] = []
        for scenario in Self.scenarios where Self.selected.contains(scenario.number) {
            do {
                let audit = try await scenario.run(Self.size)
                let violations = audit.violations
                #expect(violations.isEmpty, "\(audit.scenario): \(violations.joined(separator: ", ")); not completed: \(describe(audit.notCompleted))")
                audits.append(audit)
            } catch {
                Issue.record("scenario \(scenario.number) did not run to its audit: \(error)")
            }
            // Each scenario's row as soon as it is known, in case a later one hangs.
            print("chaos: scenario \(scenario.number) done; \(audits.last.map { "\($0.scenario): \($0.seconds) s" } ?? "no audit")")
        }
        ChaosTable.publish(audits, title: "Chaos audit (\(Self.size.full ? "full" : "short") form, BATON_TEST_CHAOS=\(Self.size.full ? "full" : "short"))")
        if Self.selected.contains(7) {
            #expect(audits.reduce(0) { $0 + $1.secrets } == 0, "7: a secret appeared in a log line or topic record")
            #expect(audits.allSatisfy { $0.logLinesScanned > 0 && $0.recordsScanned > 0 }, "7: every scenario's logs and records were scanned")
        }
    }

    // MARK: Shared steps

    /// A fresh S3 secret key for one scenario: the local S3 checks no signatures, and a
    /// distinctive key is one a scan can find (the stack's own is the word "test").
    static func scenarioSecret() -> String {
        "chaos-s3-secret-" + UUID().uuidString.lowercased()
    }

    /// Puts `count` reports of 20–200 kB (`PREFIX-N.csv`) and returns their keys.
    static func putReports(_ harness: EndToEndHarness, _ count: Int, prefix: String) async throws -> [String] {
        var keys: [String] = []
        for index in 0..<count {
            let key = "\(prefix)-\(index).csv"
            try await harness.putReport(key, size: 20_000 + (index * 37_013) % 180_000)
            keys.append(key)
        }
        return keys
    }

    /// Waits for the scenario to settle, stops the fleet (so every log is complete), and
    /// audits; the harness is stopped however this ends.
    static func finish(
        _ harness: EndToEndHarness, _ fleet: ChaosFleet, scenario: String, jobs: [String], hostile: [HostileRecord] = [],
        within seconds: Double, began: ContinuousClock.Instant
    ) async throws -> (ChaosAudit, exits: [String: Int32]) {
        do {
            await ChaosAudit.awaitSettled(harness, scenario: scenario, jobs: jobs, hostile: hostile, within: seconds)
            let exits = await fleet.stop()
            let audit = try await ChaosAudit.audit(harness, scenario: scenario, jobs: jobs, hostile: hostile, began: began)
            await harness.stop()
            return (audit, exits)
        } catch {
            throw await abandon(harness, fleet, error)
        }
    }

    /// Kills the workers and stops the harness of a scenario that failed before its
    /// audit; returns the error to rethrow.
    static func abandon(_ harness: EndToEndHarness, _ fleet: ChaosFleet, _ error: any Error) async -> any Error {
        fleet.killAll()
        await harness.stop()
        return error
    }
}
