import BatonTestSupport
import Foundation
import Testing

/// `baton demo` end to end, as a child process with its own stack directory
/// (.stack/demo-test: neither the demo's nor the tests' stack) and free ports. Runs where
/// the local stack's tools are installed, i.e. under `make test` (which sets the
/// stack's environment).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BATON_KAFKA_BOOTSTRAP_SERVERS"] != nil, "needs the local stack's tools (make test)"))
struct DemoTests {
    /// The `baton` executable built next to this test bundle.
    static var executable: String {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("baton").path
    }

    @Test(.timeLimit(.minutes(TestTime.minutes(2))))
    func demoRelaysReportsAndStopsEverything() async throws {
        let stackDir = ".stack/demo-test"
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("baton-demo") + ".log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let demo = try ChildProcess(
            [Self.executable, "demo", "--reports", "2", "--workers", "2", "--time-scale", "0.004", "--slice-budget", "2s",
             "--timeout", "\(Int(TestTime.seconds(90).components.seconds))s", "--stack-dir", stackDir, "--overrun-chunks", "2"],
            logPath: log)
        let status: Int32
        do {
            status = try await demo.wait(timeout: .seconds(110))
        } catch {
            demo.signal(SIGTERM)  // let it stop its workers and stack
            _ = try? await demo.wait(timeout: .seconds(30))
            throw error
        }
        let output = demo.log
        #expect(status == 0, "demo output:\n\(output)")
        // Progress, the summary table and the figures.
        #expect(output.contains("published   upload"))
        #expect(output.contains("checkpoint  awaitUpload"))
        #expect(output.range(of: #"finance/gl-ledger-2026-11\.csv\s+finance\s+completed"#, options: .regularExpression) != nil)
        #expect(output.range(of: #"sales/orders-2026-11\.csv\s+sales\s+completed"#, options: .regularExpression) != nil)
        #expect(output.contains("2 of 2 completed"))
        #expect(output.contains("jobs/min"))
        #expect(output.contains("2 of 2 uploads identical to S3 (SHA-256), 2 publishes, one per space"))
        // Everything it started is stopped: workers gracefully, the stack taken down.
        #expect(output.contains("(2 of 2 stopped gracefully)"))
        #expect(output.contains("stack in \(stackDir) stopped"))
        #expect(!FileManager.default.fileExists(atPath: "\(stackDir)/pids"))
        for pid in Self.workerPIDs(in: output) {
            #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"), "worker \(pid) still exists")
        }
        // Nothing but people's text on stdout/stderr: no JSON log lines.
        #expect(!output.contains("{\""))
    }

    /// The pids in `worker-1 (pid 1234), worker-2 (pid 1235)`.
    static func workerPIDs(in output: String) -> [Int] {
        output.matches(of: /worker-\d+ \(pid (\d+)\)/).compactMap { Int($0.output.1) }
    }
}
