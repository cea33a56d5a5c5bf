import BatonTestSupport
import Foundation

/// Runs the real `baton` executable for CLI tests: exit status and everything it printed
/// (stdout and stderr together), bounded by a timeout.
enum BatonCLI {
    struct Run: Sendable {
        var status: Int32
        var output: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)) async throws -> Run {
        let log = NSTemporaryDirectory() + uniqueName("baton-cli") + ".log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let child = try ChildProcess([EndToEndHarness.batonExecutable] + arguments, environment: environment, logPath: log)
        let status: Int32
        do {
            status = try await child.wait(timeout: timeout)
        } catch {
            child.kill()
            throw error
        }
        return Run(status: status, output: child.log)
    }

    /// A file holding `text`, for `--event FILE` and `--config FILE`.
    static func file(_ text: String, suffix: String = ".json") throws -> String {
        let path = NSTemporaryDirectory() + uniqueName("baton-cli") + suffix
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
