import Birst
import BirstSimulator
import Curl
import Foundation
import StackTestSupport
import Testing

/// Chaos scenario 5's lost jobs: a re-login's fresh token wiped (server restart) before
/// the retry that carried it reached Birst. Birst then rejected the login token, not the
/// job token, and that must never read as "the job token is gone".
@Suite("A rejected login token is the session's fault, not the job's")
struct LoginRejectedTests {
    @Test(
        "Servers restart between a re-login and its retry: the job token still answers; with the password changed too, the error is the login's",
        arguments: [false, true])
    func restartDuringRelogin(passwordChanged: Bool) async throws {
        try await SimulatorHarness.with { harness in
            let session = harness.session()
            let deadline = Deadline.limit(30)
            let uploadToken = try await SessionTests.upload(session)
            try await harness.advanceClock(seconds: 601)  // the login token idles out: the next call logs in again
            // That login is applied at once and answered late, so the test can restart the
            // servers between the two, as the chaos run's timing did by chance.
            // The window the test has to act in: scaled like every limit, for a busy machine.
            let hold = 2 * TestTime.scale
            harness.simulator.updateSettings {
                $0.faults.operations["Login"] = FaultKnobs(delayAfterApplySeconds: hold, delayAfterApplyCalls: 1)
            }
            let poll = Task { try await session.isJobComplete(jobToken: uploadToken, deadline: deadline) }
            try await eventually(20, "the re-login to be applied", every: .milliseconds(10)) {
                harness.simulator.inspect().logins.count == 2
            }
            if passwordChanged { harness.simulator.setPassword("rotated", for: "baton") }
            harness.simulator.restartServers()

            let result = await poll.result
            if passwordChanged {
                // A configuration fault (the worker pauses), never `invalidToken` (a dead letter).
                switch result {
                case .success: Issue.record("expected the login to be refused")
                case .failure(let error): #expect((error as? BirstError)?.kind == .badCredentials, "\(error)")
                }
                harness.simulator.setPassword("baton-dev", for: "baton")  // SimulatorHarness.credentials
                _ = try await session.isJobComplete(jobToken: uploadToken, deadline: deadline)
                #expect(await session.loginCount == 3)  // first, the one wiped, the one after the fix
            } else {
                _ = try result.get()
                #expect(await session.loginCount == 3)  // first, the one wiped, one more
            }
            let inspection = harness.simulator.inspect()
            #expect(Set(inspection.logins.map(\.server)).count == 1, "every login on the job's server")
            let rejected = inspection.calls.filter { $0.operation == "isJobComplete" && $0.fault != nil }
            #expect(rejected.count == 2, "the idle token, then the wiped one")
        }
    }

    @Test("A fault naming the login token is told apart from one naming the job token")
    func whichTokenWasRejected() async throws {
        try await SimulatorHarness.with { harness in
            let session = harness.session()
            let deadline = Deadline.limit(30)
            let jobToken = try await session.publishData(spaceID: "space-1", deadline: deadline)
            let stranger = harness.session()  // another server: the job token is unknown there
            do throws(BirstError) {
                _ = try await stranger.isJobComplete(jobToken: jobToken, deadline: deadline)
                Issue.record("expected the job token to be rejected")
            } catch {
                #expect(error.kind == .invalidToken)
                #expect(!error.rejectedLoginToken)
            }
            #expect(await stranger.loginCount == 2)  // one re-login, then the job token is lost
        }
    }
}
