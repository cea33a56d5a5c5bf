import StackTestSupport
import Birst
import BirstSimulator
import Curl
import Foundation
import Logging

/// Warnings and worse only: the suite's output stays readable.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}

/// A simulator started in-process on 127.0.0.1 (free port), a Curl client, and a Birst
/// client pointed at it. Admin calls go over HTTP like any test tool would make them.
struct SimulatorHarness: Sendable {
    static let credentials = BirstCredentials(username: "baton", password: "baton-dev")

    let simulator: BirstSimulator
    let http: CurlClient
    let client: BirstClient
    let endpoint: String
    let base: String

    /// Runs `body` against a fresh simulator (time scale 0.01 unless configured),
    /// bounded by `seconds` (scaled by `TestTime`), and always stops it.
    static func with(
        timeout seconds: Double = 60,
        logger: Logger = quietLogger("test.birst"),
        configure: @Sendable (inout SimulatorConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (SimulatorHarness) async throws -> Void
    ) async throws {
        var configuration = SimulatorConfiguration(timeScale: 0.01)
        configuration.settings.uploadJob.durationSeconds = 5
        configuration.settings.publishJob.durationSeconds = 20
        configure(&configuration)
        let simulator = BirstSimulator(configuration: configuration, logger: quietLogger("test.birst-sim"))
        let port = try await simulator.start()
        let http = CurlClient(logger: logger)
        let base = "http://127.0.0.1:\(port)"
        let harness = SimulatorHarness(
            simulator: simulator, http: http,
            client: BirstClient(
                configuration: .init(endpoint: base + "/CommandWebService.asmx", requestTimeout: TestTime.seconds(30)),
                http: http, logger: logger),
            endpoint: base + "/CommandWebService.asmx", base: base)
        do {
            try await withTimeout(seconds, "the test body") { try await body(harness) }
        } catch {
            http.shutdown()
            await simulator.stop()
            throw error
        }
        http.shutdown()
        await simulator.stop()
    }

    func session(cookies: CookieJar = CookieJar()) -> BirstSession {
        client.session(credentials: Self.credentials, cookies: cookies)
    }

    // MARK: Admin endpoints over HTTP

    func inspect() async throws -> Inspection {
        try await admin("GET", "/admin/inspect", as: Inspection.self)
    }

    func setFaults(_ faults: FaultPlan) async throws {
        _ = try await admin("PUT", "/admin/faults", body: faults, as: FaultPlan.self)
    }

    func updateSettings(_ change: (inout SimulatorSettings) -> Void) async throws {
        var settings = try await admin("GET", "/admin/settings", as: SimulatorSettings.self)
        change(&settings)
        _ = try await admin("PUT", "/admin/settings", body: settings, as: SimulatorSettings.self)
    }

    func advanceClock(seconds: Double) async throws {
        struct Advance: Codable { var seconds: Double }
        struct Reading: Codable { var simulatedTime: Double }
        _ = try await admin("POST", "/admin/clock/advance", body: Advance(seconds: seconds), as: Reading.self)
    }

    func restartServers() async throws {
        struct Reading: Codable { var simulatedTime: Double }
        _ = try await admin("POST", "/admin/servers/restart", as: Reading.self)
    }

    private func admin<T: Decodable>(_ method: String, _ path: String, as type: T.Type) async throws -> T {
        try await admin(method, path, body: Optional<Int>.none, as: type)
    }

    private func admin<B: Encodable, T: Decodable>(
        _ method: String, _ path: String, body: B?, as type: T.Type
    ) async throws -> T {
        let payload = try body.map { Array(try JSONEncoder().encode($0)) }
        let response = try await http.execute(
            HTTPRequest(
                method: method, url: base + path,
                headers: [HTTPHeader(name: "Content-Type", value: "application/json")], body: payload,
                timeout: TestTime.seconds(30)))
        guard response.status == 200 else { throw AdminFailure(status: response.status, body: response.bodyText) }
        return try JSONDecoder().decode(T.self, from: Data(response.body))
    }

    struct AdminFailure: Error { var status: Int; var body: String }

    /// Polls `isJobComplete` the way a worker does (every 20 ms here), bounded by the deadline.
    static func waitUntilComplete(_ session: BirstSession, jobToken: String, deadline: Deadline) async throws {
        while try await !session.isJobComplete(jobToken: jobToken, deadline: deadline) {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension Deadline {
    /// A deadline that is only a limit for the test (not the claim under test): generous,
    /// and scaled by `TestTime`, so a busy machine does not run out of it.
    static func limit(_ seconds: Double) -> Deadline {
        .after(TestTime.seconds(seconds))
    }
}
