import StackTestSupport
import Birst
import BirstSimulator
import Curl
import Testing

@Suite("Secrets stay out of logs and errors")
struct RedactionTests {
    @Test("Neither the password nor a login token appears in captured log output or errors")
    func noSecretsInLogs() async throws {
        let capture = LogCapture()
        let password = "baton-dev"
        try await SimulatorHarness.with(logger: capture.logger()) { harness in
            let session = harness.session()
            let deadline = Deadline.limit(30)
            let uploadToken = try await SessionTests.upload(session)
            try await harness.advanceClock(seconds: 601)  // expire the token: a fault that names it, then re-login
            _ = try await session.isJobComplete(jobToken: uploadToken, deadline: deadline)
            try await harness.advanceClock(seconds: 601)
            try await harness.setFaults(FaultPlan(operations: ["getJobStatus": FaultKnobs(transientFaultRate: 1)]))
            var errors: [String] = []
            do { _ = try await session.getJobStatus(jobToken: uploadToken, deadline: deadline) } catch { errors.append("\(error)") }

            // A wrong password, and a token the server rejects twice.
            let wrong = harness.client.session(credentials: BirstCredentials(username: "baton", password: "hunter2-secret"))
            do { try await wrong.login(deadline: deadline) } catch { errors.append("\(error)") }
            let stranger = harness.session()
            do { _ = try await stranger.isJobComplete(jobToken: uploadToken, deadline: deadline) } catch { errors.append("\(error)") }
            errors.append("\(session)")
            errors.append(String(reflecting: session))
            var dumped = ""
            dump(session, to: &dumped)
            errors.append(dumped)

            let tokens = try await harness.inspect().logins.map(\.token)
            #expect(tokens.count >= 4)
            #expect(capture.count > 0)
            let logged = capture.text
            for secret in [password, "hunter2-secret"] + tokens {
                #expect(!logged.contains(secret), "a secret leaked into the log")
                for error in errors { #expect(!error.contains(secret), "a secret leaked into \(error)") }
            }
            // The rejection of an expired login token was logged (redacted), so the check above is meaningful.
            #expect(logged.contains("is not valid or has expired"))
        }
    }
}
