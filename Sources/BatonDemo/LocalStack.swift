import Foundation
import Subprocess
import SystemPackage

/// The local stack (Kafka, S3, SMTP) in its own directory, through `scripts/stack`:
/// `up` starts it and returns its environment (DIR/env), `down` stops exactly what
/// `up` started. Never the default `.stack`, which other work uses.
struct LocalStack: Sendable {
    var repositoryRoot: String
    /// Relative to the repository root, e.g. `.stack/demo`.
    var directory: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var absoluteDirectory: String { repositoryRoot + "/" + directory }
    var envFile: String { absoluteDirectory + "/env" }

    /// Starts the stack and returns its `KEY=VALUE` environment.
    func up() async throws -> [String: String] {
        let result = try await stack(["up", "--dir", directory])
        guard result.status.isSuccess else {
            throw Failure(description: "scripts/stack up --dir \(directory) failed (\(result.status)):\n\(result.errors)")
        }
        return try Self.parseEnvironment(String(contentsOfFile: envFile, encoding: .utf8))
    }

    /// Stops the stack; returns scripts/stack's complaint if it had one.
    @discardableResult
    func down() async -> String? {
        do {
            let result = try await stack(["down", "--dir", directory])
            return result.status.isSuccess ? nil : "scripts/stack down failed (\(result.status)): \(result.errors)"
        } catch {
            return "scripts/stack down failed: \(error)"
        }
    }

    private func stack(_ arguments: [String]) async throws -> (status: TerminationStatus, errors: String) {
        var options = PlatformOptions()
        // If the demo is interrupted while the stack starts, let scripts/stack clean up
        // what it started (it treats SIGTERM like Ctrl-C) before it would be killed.
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(10))]
        let result = try await Subprocess.run(
            .path(FilePath(repositoryRoot + "/scripts/stack")),
            arguments: Arguments(arguments),
            workingDirectory: FilePath(repositoryRoot),
            platformOptions: options,
            output: .discarded,
            error: .string(limit: 1 << 20)
        )
        return (result.terminationStatus, result.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Reads DIR/env: `KEY=value` lines, values quoted for the shell as Python's
    /// shlex.quote does (plain, or in single quotes with `'"'"'` for a quote).
    static func parseEnvironment(_ text: String) -> [String: String] {
        var environment: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
            var value = String(line[line.index(after: equals)...])
            if value.count >= 2, value.hasPrefix("'"), value.hasSuffix("'") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "'\"'\"'", with: "'")
            }
            environment[String(line[..<equals])] = value
        }
        return environment
    }
}
