import Baton
import BatonTestSupport
import Foundation
import Testing

/// `baton check` and `baton config show` against the local stack, run as the real binary.
@Suite("baton check and baton config show")
struct CheckCommandTests {
    /// `--timeout` for the checks that should pass: the default 5 s, scaled, so a busy
    /// machine's slow Birst login does not fail a part the test expects to pass.
    static let partTimeout = "\(TestTime.seconds(5).components.seconds + 1)s"

    @Test("check passes every part against a working stack and exits 0")
    func allPass() async throws {
        let harness = try await EndToEndHarness("cli-check")
        defer { Task { await harness.stop() } }
        let run = try await BatonCLI.run(["check", "--config", harness.configFile, "--timeout", Self.partTimeout], environment: harness.environment)
        #expect(run.status == 0, "\(run.output)")
        for part in ["config", "broker", "topics", "S3", "Birst login", "SMTP"] {
            #expect(("\n" + run.output).contains("\n\(part.padding(toLength: 12, withPad: " ", startingAt: 0))ok "), "\(part) ok: \(run.output)")
        }
        #expect(run.output.contains("all checks passed"))
        #expect(!run.output.contains("baton-dev"), "no password in the output")
    }

    @Test("the exit status names the failed parts: Birst login refused (16), topics missing (4)")
    func failures() async throws {
        let harness = try await EndToEndHarness("cli-check-fail")
        defer { Task { await harness.stop() } }
        var environment = harness.environment
        environment["BATON_BIRST_PASSWORD"] = "wrong-password"
        let birst = try await BatonCLI.run(["check", "--config", harness.configFile, "--timeout", Self.partTimeout], environment: environment)
        #expect(birst.status == 16, "\(birst.output)")
        #expect(birst.output.contains("Birst login FAILED"), "\(birst.output)")
        #expect(!birst.output.contains("wrong-password"))

        let topics = try await BatonCLI.run(
            ["check", "--config", harness.configFile, "--timeout", Self.partTimeout, "--set", "topics.prefix=\(uniqueName("absent"))."],
            environment: harness.environment)
        #expect(topics.status == 4, "\(topics.output)")
        #expect(topics.output.contains("topics      FAILED  missing:"), "\(topics.output)")
    }

    @Test("an unreachable broker fails within the timeout with exit 2")
    func brokerDown() async throws {
        let harness = try await EndToEndHarness("cli-check-broker")
        defer { Task { await harness.stop() } }
        let started = ContinuousClock.now
        // The timeout bounds every part, the Birst login too: scaled, so a busy machine's
        // slow login does not fail a part this test expects to pass.
        let timeout = TestTime.seconds(4)
        let run = try await BatonCLI.run(
            ["check", "--config", harness.configFile, "--set", "kafka.bootstrapServers=127.0.0.1:1",
             "--timeout", "\(timeout.components.seconds + 1)s"],
            environment: harness.environment, timeout: TestTime.seconds(60))
        #expect(run.status == 2, "\(run.output)")
        #expect(run.output.contains("broker      FAILED  127.0.0.1:1"), "\(run.output)")
        #expect(run.output.contains("topics      skipped"), "\(run.output)")
        #expect(ContinuousClock.now - started < timeout * 5)
    }

    @Test("config show prints each setting's value and source, secrets masked")
    func configShow() async throws {
        let harness = try await EndToEndHarness("cli-config-show")
        defer { Task { await harness.stop() } }
        var environment = harness.environment
        environment["BATON_WORKER_RETRIES"] = "7"
        let s3Secret = "s3-secret-\(UUID().uuidString)"
        environment["BATON_S3_SECRET_ACCESS_KEY"] = s3Secret
        let run = try await BatonCLI.run(
            ["config", "show", "--config", harness.configFile, "--set", "worker.maxSlices=9"], environment: environment)
        #expect(run.status == 0, "\(run.output)")
        func line(_ key: String) -> String {
            run.output.split(separator: "\n").first { $0.hasPrefix(key + " ") }.map(String.init) ?? ""
        }
        #expect(line("worker.retries").contains("7") && line("worker.retries").hasSuffix("(env BATON_WORKER_RETRIES)"), "\(run.output)")
        #expect(line("worker.maxSlices").contains("9") && line("worker.maxSlices").hasSuffix("(flag)"))
        #expect(line("worker.sliceBudget").contains("1500ms") && line("worker.sliceBudget").hasSuffix("(file \(harness.configFile))"))
        #expect(line("worker.maxJobAge").contains("24h") && line("worker.maxJobAge").hasSuffix("(default)"))
        #expect(line("birst.password").contains(EffectiveSetting.masked) && line("birst.password").hasSuffix("(env BATON_BIRST_PASSWORD)"))
        #expect(line("s3.secretAccessKey").contains(EffectiveSetting.masked))
        #expect(line("smtp.password").hasSuffix("(not set)"))
        #expect(!run.output.contains("baton-dev"), "the Birst password never appears")
        #expect(!run.output.contains(s3Secret), "the S3 secret never appears")
    }
}
