import Birst
import BirstSimulator
import Curl
import Foundation
import Testing

@Suite("Birst client sessions against the simulator")
struct SessionTests {
    static let data = Array("id,amount\n1,10\n2,20\n".utf8)

    /// begin → options → upload → finish; returns the upload token.
    static func upload(_ session: BirstSession, space: String = "space-1", source: String = "daily") async throws -> String {
        let deadline = Deadline.limit(20)
        let token = try await session.beginDataUpload(spaceID: space, sourceName: source, deadline: deadline)
        try await session.setDataUploadOptions(
            uploadToken: token, options: [.consolidateIdenticalStructures(false), .columnNamesInFirstRow(true)],
            deadline: deadline)
        try await session.uploadData(uploadToken: token, bytes: data, deadline: deadline)
        try await session.finishDataUpload(uploadToken: token, deadline: deadline)
        return token
    }

    @Test("Happy path: upload → poll → publish → poll → getJobStatus Complete")
    func happyPath() async throws {
        // The publish runs until the test moves the simulator's clock: "still running" can
        // be checked however slowly the machine answers.
        // At time scale 0.01 one real second is 100 Birst seconds: a busy machine's pause
        // between two calls must not idle the login token out (that would be a second login).
        try await SimulatorHarness.with(configure: {
            $0.settings.publishJob.durationSeconds = 500
            $0.settings.sessionIdleTimeoutSeconds = 6_000
        }) { harness in
            let session = harness.session()
            let deadline = Deadline.limit(30)
            let uploadToken = try await Self.upload(session)
            try await SimulatorHarness.waitUntilComplete(session, jobToken: uploadToken, deadline: deadline)
            let uploadStatus = try await session.getJobStatus(jobToken: uploadToken, deadline: deadline)
            #expect(uploadStatus.succeeded)
            #expect(uploadStatus.statusCode == "None")

            #expect(try await session.getLoadStatus(spaceID: "space-1", deadline: deadline).isAvailable)
            let jobToken = try await session.publishData(spaceID: "space-1", subgroups: [], deadline: deadline)
            #expect(try await !session.getLoadStatus(spaceID: "space-1", deadline: deadline).isAvailable)
            try await harness.advanceClock(seconds: 500)  // within the login token's idle timeout
            try await SimulatorHarness.waitUntilComplete(session, jobToken: jobToken, deadline: deadline)
            let status = try await session.getJobStatus(jobToken: jobToken, deadline: deadline)
            #expect(status.statusCode == "Complete")
            #expect(status.succeeded && !status.failed)
            #expect(status.loadID == 1)
            #expect(try await session.getLoadStatus(spaceID: "space-1", deadline: deadline).isAvailable)
            try await session.logout(deadline: deadline)

            let inspection = try await harness.inspect()
            #expect(inspection.uploads.count == 1)
            #expect(inspection.uploads[0].sha256 == ContentHash.sha256(Self.data))
            #expect(inspection.uploads[0].options == ["ConsolidateIdenticalStructures=false", "ColumnNamesInFirstRow=true"])
            #expect(inspection.uploads[0].finished && inspection.uploads[0].complete)
            #expect(inspection.publishes.count == 1)
            #expect(inspection.publishes[0].spaceID == "space-1" && inspection.publishes[0].subgroups == [])
            #expect(inspection.logins.count == 1)
            // Every call after Login went to the server that issued the token, by cookie,
            // with a quoted SOAPAction.
            #expect(Set(inspection.calls.map(\.server)).count == 1)
            #expect(inspection.calls.allSatisfy { $0.soapAction == "\"http://www.birst.com/\($0.operation ?? "")\"" })
            let allByCookie = inspection.calls.dropFirst().allSatisfy(\.hadAffinityCookie)
            #expect(allByCookie)
            #expect(inspection.calls.last?.operation == "Logout")
        }
    }

    @Test("A Failed job surfaces its message")
    func failedJob() async throws {
        let message = #"Processing failed: column "amount" <int> & 'ü' mismatched"#
        try await SimulatorHarness.with { harness in
            try await harness.updateSettings { $0.publishJob = JobBehaviour(durationSeconds: 10, status: "Failed", message: message) }
            let session = harness.session()
            let deadline = Deadline.limit(30)
            let jobToken = try await session.publishData(spaceID: "space-f", deadline: deadline)
            try await SimulatorHarness.waitUntilComplete(session, jobToken: jobToken, deadline: deadline)
            let status = try await session.getJobStatus(jobToken: jobToken, deadline: deadline)
            #expect(status.failed && !status.succeeded)
            #expect(status.message == message)
        }
    }

    @Test("An expired login token is replaced transparently, with the same cookie")
    func tokenExpiry() async throws {
        try await SimulatorHarness.with { harness in
            let session = harness.session()
            let deadline = Deadline.limit(30)
            _ = try await session.getLoadStatus(spaceID: "s", deadline: deadline)
            let cookieBefore = await session.cookies.value(named: "BirstAffinity")
            try await harness.advanceClock(seconds: 601)  // 10 minutes idle, in Birst time
            #expect(try await session.getLoadStatus(spaceID: "s", deadline: deadline).isAvailable)
            #expect(await session.loginCount == 2)
            #expect(await session.cookies.value(named: "BirstAffinity") == cookieBefore)
            let inspection = try await harness.inspect()
            #expect(inspection.logins.count == 2)
            #expect(inspection.logins[0].server == inspection.logins[1].server)
            #expect(inspection.calls.contains { $0.fault?.contains("is not valid or has expired") == true })
        }
    }

    @Test("After a server restart the session logs in again and job tokens still answer")
    func serverRestart() async throws {
        try await SimulatorHarness.with { harness in
            let session = harness.session()
            let deadline = Deadline.limit(30)
            let jobToken = try await session.publishData(spaceID: "r", deadline: deadline)
            try await harness.restartServers()
            try await SimulatorHarness.waitUntilComplete(session, jobToken: jobToken, deadline: deadline)
            #expect(await session.loginCount == 2)
        }
    }

    @Test("A session built from the cookie alone polls a job another session started")
    func sessionFromCookie() async throws {
        try await SimulatorHarness.with { harness in
            let first = harness.session()
            let uploadToken = try await Self.upload(first)
            let carried = await first.affinityCookie  // what the job envelope carries
            let second = try #require(
                BirstSession(client: harness.client, credentials: SimulatorHarness.credentials, affinityCookie: carried))
            #expect(await !second.isLoggedIn)
            let deadline = Deadline.limit(30)
            try await SimulatorHarness.waitUntilComplete(second, jobToken: uploadToken, deadline: deadline)
            #expect(try await second.getJobStatus(jobToken: uploadToken, deadline: deadline).succeeded)
            let inspection = try await harness.inspect()
            #expect(inspection.logins.count == 2)
            #expect(inspection.logins[0].server == inspection.logins[1].server)
        }
    }

    @Test("Concurrent first calls with different deadlines share one login, so the session stays on one server")
    func concurrentFirstCalls() async throws {
        try await SimulatorHarness.with { harness in
            let session = harness.session()
            let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await session.beginDataUpload(
                            spaceID: "space-\(index)", sourceName: "s", deadline: .limit(30 + 8 - Double(index)))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let deadline = Deadline.limit(30)
            for token in tokens {
                try await session.uploadData(uploadToken: token, bytes: Array("a,b\n".utf8), deadline: deadline)
            }
            let inspection = try await harness.inspect()
            #expect(inspection.logins.count == 1)
            #expect(Set(inspection.uploads.map(\.server)).count == 1)
        }
    }

    @Test("Cookie lost: the job token is unknown on the other server and reported as such")
    func cookieLost() async throws {
        try await SimulatorHarness.with { harness in
            let first = harness.session()
            let deadline = Deadline.limit(30)
            let jobToken = try await first.publishData(spaceID: "space-1", deadline: deadline)
            let stranger = harness.session()  // no cookie: the load balancer picks another server
            do throws(BirstError) {
                _ = try await stranger.isJobComplete(jobToken: jobToken, deadline: deadline)
                Issue.record("expected an invalid-token error")
            } catch {
                #expect(error.kind == .invalidToken)
                #expect(error.message.contains("token \(jobToken) is not valid or has expired"))
                #expect(!error.isRetryable)
            }
            #expect(await stranger.loginCount == 2)  // it logged in again once, then gave up
        }
    }

    @Test("Bad credentials are fatal", arguments: [
        ("baton", "wrong", "Failed web services login attempt for user baton"),
        ("nobody", "baton-dev", "Failed web service login request for user nobody"),
        ("", "", "Validation failure"),
    ])
    func badCredentials(_ username: String, _ password: String, _ expected: String) async throws {
        try await SimulatorHarness.with { harness in
            let session = harness.client.session(credentials: BirstCredentials(username: username, password: password))
            do throws(BirstError) {
                try await session.login(deadline: .limit(20))
                Issue.record("login should fail")
            } catch {
                #expect(error.kind == .badCredentials)
                #expect(error.isFatal)
                #expect(error.operation == .login)
                #expect(error.message.contains(expected))
            }
        }
    }

    @Test("A second publishData on a busy space is a fault")
    func busySpace() async throws {
        try await SimulatorHarness.with { harness in
            try await harness.updateSettings { $0.publishJob.durationSeconds = 3600 }
            let session = harness.session()
            let deadline = Deadline.limit(30)
            _ = try await session.publishData(spaceID: "busy", deadline: deadline)
            #expect(try await session.getLoadStatus(spaceID: "busy", deadline: deadline).rawValue != "Available")
            do throws(BirstError) {
                _ = try await session.publishData(spaceID: "busy", deadline: deadline)
                Issue.record("second publish should fail")
            } catch {
                #expect(error.kind == .fault)
                #expect(error.message.contains("busy"))
            }
            #expect(try await harness.inspect().publishes.count == 1)
        }
    }

    @Test("Values with &<>\"' and non-ASCII survive the round trip")
    func escapingRoundTrip() async throws {
        let space = #"Space & <Co> "Ünïcødé" 'q'"#
        let source = #"Q&A <Reports> "2026" 'Müller' 日本語 🚀"#
        let subgroups = [#"Group <A> & "B""#, "Çàfé 'x'"]
        try await SimulatorHarness.with { harness in
            let session = harness.session()
            let deadline = Deadline.limit(30)
            let token = try await session.beginDataUpload(spaceID: space, sourceName: source, deadline: deadline)
            try await session.setDataUploadOptions(
                uploadToken: token, options: [.separator("&"), .characterEncoding("UTF-8"), DataUploadOption(name: "X", value: "<'\">")],
                deadline: deadline)
            let bytes = Array("naïve,€\n\"<&>\",'\n".utf8)
            try await session.uploadData(uploadToken: token, bytes: bytes, deadline: deadline)
            _ = try await session.publishData(spaceID: space, subgroups: subgroups, deadline: deadline)
            let inspection = try await harness.inspect()
            #expect(inspection.uploads.first?.spaceID == space)
            #expect(inspection.uploads.first?.sourceName == source)
            #expect(inspection.uploads.first?.options == ["Separator=&", "CharacterEncoding=UTF-8", "X=<'\">"])
            #expect(inspection.uploads.first?.sha256 == ContentHash.sha256(bytes))
            #expect(inspection.publishes.first?.spaceID == space)
            #expect(inspection.publishes.first?.subgroups == subgroups)
        }
    }
}
