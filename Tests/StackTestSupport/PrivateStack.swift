import Curl
import Foundation

/// A local stack of a test's own: `scripts/stack --dir <temporary directory> up`, for
/// scenarios that inject faults through the Kafka adapter. The adapter's faults are
/// global to a stack, and the suites run in parallel against the shared one, so freezing
/// that would disturb every other test.
///
/// Use ``run(_:_:)``: it starts the stack, hands its ``TestStack`` to the body, and
/// always stops it again (`scripts/stack --dir … down`), also when the body throws.
public struct PrivateStack: Sendable {
    /// Where the stack keeps its `env`, `pids`, logs and maildir.
    public let directory: String
    /// The addresses `up` wrote to `<directory>/env`.
    public let stack: TestStack

    /// Why the stack could not be started.
    public struct StartFailure: Error, CustomStringConvertible {
        public var directory: String
        public var detail: String
        public var description: String { "scripts/stack --dir \(directory) up failed: \(detail)" }
    }

    /// The repository's root, found from this file's own path (`Tests/StackTestSupport/…`).
    public static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Starts a stack in a fresh temporary directory (at most `timeout`), runs `body`
    /// with it, and stops it (at most `timeout` again) however `body` ends.
    public static func run<T: Sendable>(
        _ name: String, timeout: Duration = .seconds(60), _ body: @Sendable (PrivateStack) async throws -> T
    ) async throws -> T {
        let directory = NSTemporaryDirectory() + uniqueName("stack-\(name)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stack: PrivateStack
        do {
            stack = try await start(in: directory, timeout: timeout)
        } catch {
            // `up` stops what it started when it fails, but a timed-out `up` may not have.
            await stop(directory, timeout: timeout)
            throw error
        }
        let result: T
        do {
            result = try await body(stack)
        } catch {
            await stop(directory, timeout: timeout)
            throw error
        }
        await stop(directory, timeout: timeout)
        return result
    }

    private static func start(in directory: String, timeout: Duration) async throws -> PrivateStack {
        let log = directory + "/stack-up.log"
        let up = try ChildProcess([repositoryRoot + "/scripts/stack", "--dir", directory, "up"], logPath: log)
        let status: Int32
        do {
            status = try await up.wait(timeout: timeout)
        } catch {
            up.signal(SIGTERM)  // `up` stops what it started on SIGTERM
            _ = try? await up.wait(timeout: .seconds(10))
            throw StartFailure(directory: directory, detail: "no answer within \(timeout): \(up.log)")
        }
        guard status == 0 else { throw StartFailure(directory: directory, detail: "exit \(status): \(up.log)") }
        let text = try String(contentsOfFile: directory + "/env", encoding: .utf8)
        return PrivateStack(directory: directory, stack: try TestStack(environment: parseEnvironment(text)))
    }

    /// `scripts/stack --dir … down`: stops exactly what `up` started. Bounded; a failure is
    /// printed, not thrown (the test's own result matters more).
    private static func stop(_ directory: String, timeout: Duration) async {
        do {
            let down = try ChildProcess([repositoryRoot + "/scripts/stack", "--dir", directory, "down"], logPath: directory + "/stack-down.log")
            let status = try await down.wait(timeout: timeout)
            if status != 0 { print("PrivateStack: `scripts/stack --dir \(directory) down` exited \(status): \(down.log)") }
        } catch {
            print("PrivateStack: stopping the stack in \(directory) failed: \(error)")
        }
    }

    /// `KEY=VALUE` lines as `scripts/stack` writes them (values shell-quoted when needed).
    static func parseEnvironment(_ text: String) -> [String: String] {
        var environment: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: equals)...])
            if value.count >= 2, value.hasPrefix("'"), value.hasSuffix("'") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "'\"'\"'", with: "'")
            }
            environment[String(line[..<equals])] = value
        }
        return environment
    }

    // MARK: Faults

    /// The adapter's control endpoint refused a request.
    public struct ControlFailure: Error, CustomStringConvertible {
        public var request: String
        public var status: Int
        public var body: String
        public var description: String { "\(request) answered \(status): \(body)" }
    }

    /// Sets the Kafka adapter's faults (`POST /faults` with a JSON object such as
    /// `{"freeze": true}`; see scripts/batonstack/adapter.py).
    public func setFaults(_ json: String, http: CurlClient) async throws {
        let response = try await http.execute(HTTPRequest(
            method: "POST", url: stack.kafkaAdapterControl + "/faults",
            headers: [HTTPHeader("Content-Type", "application/json")], body: Array(json.utf8),
            connectTimeout: .seconds(5), timeout: .seconds(10)
        ))
        guard response.status == 200 else {
            throw ControlFailure(request: "POST /faults \(json)", status: response.status, body: String(decoding: response.body, as: UTF8.self))
        }
    }
}
