import Baton
import BatonTestSupport
import Foundation
import Testing

/// The command line as scripts meet it: version, unknown commands, help with examples,
/// typos that are errors naming the setting, and publish's closing summary.
@Suite("baton: a strict and honest command line")
struct CLITests {
    @Test("--version prints the version from BatonVersion and exits 0")
    func version() async throws {
        let run = try await BatonCLI.run(["--version"])
        #expect(run.status == 0)
        #expect(run.output.trimmingCharacters(in: .whitespacesAndNewlines) == BatonVersion.current)
    }

    @Test("an unknown command exits 64 with the list of commands, also with --help", arguments: [
        ["rewind", "--help"], ["rewind"], ["help", "rewind"], ["wroker", "--concurrency", "2"],
    ])
    func unknownCommand(arguments: [String]) async throws {
        let run = try await BatonCLI.run(arguments)
        let word = arguments.first { $0 != "help" }!
        #expect(run.status == 64, "\(run.output)")
        #expect(run.output.contains("unknown command '\(word)'"), "\(run.output)")
        for command in ["worker", "publish", "ingest", "replay", "jobs", "topics", "check", "config", "birst-sim", "demo"] {
            #expect(run.output.contains("\n  \(command) "), "lists \(command): \(run.output)")
        }
        #expect(!run.output.contains("OVERVIEW"), "not the top-level help")
    }

    @Test("a misspelt command gets a suggestion")
    func suggestion() async throws {
        let run = try await BatonCLI.run(["wroker"])
        #expect(run.output.contains("did you mean 'worker'?"), "\(run.output)")
    }

    @Test("every command's --help has examples and exits 0", arguments: [
        ["worker"], ["publish"], ["ingest"], ["replay"], ["jobs"], ["jobs", "list"], ["jobs", "show"], ["topics"], ["topics", "ensure"], ["topics", "list"], ["check"],
        ["config"], ["config", "show"], ["birst-sim"], ["demo"], [],
    ])
    func helpHasExamples(command: [String]) async throws {
        let run = try await BatonCLI.run(command + ["--help"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("Examples:"), "baton \(command.joined(separator: " ")) --help: \(run.output)")
    }

    @Test("birst-sim: a bad --fault value is an error naming the knob and the value, exit 64, without baton's usage")
    func badFault() async throws {
        let run = try await BatonCLI.run(["birst-sim", "--listen", "127.0.0.1:0", "--fault", "uploadData:transientFaultRate=lots"])
        #expect(run.status == 64, "\(run.output)")
        #expect(run.output.contains(#"Error: --fault uploadData:transientFaultRate=lots: transientFaultRate takes a rate from 0 to 1, got "lots""#), "\(run.output)")
        #expect(!run.output.contains("USAGE") && !run.output.contains("<subcommand>"), "no usage of baton itself: \(run.output)")
        #expect(!run.output.contains("listening"), "the simulator did not start: \(run.output)")
    }

    @Test("replay and report refuse a time that does not exist, saying why, exit 64", arguments: [
        ["replay", "--from", "a", "--to", "b", "--all", "--since"], ["report", "--out", "unused.html", "--since"],
    ])
    func impossibleTime(command: [String]) async throws {
        let run = try await BatonCLI.run(command + ["2026-12-01T25:00:00Z"])
        #expect(run.status == 64, "\(run.output)")
        #expect(run.output.contains(#"--since: expected an ISO-8601 time"#) && run.output.contains("hour 25 does not exist"), "\(run.output)")
        #expect(run.output.contains("baton \(command[0])"), "the usage is the command's own: \(run.output)")
    }

    @Test("--set with a misspelt key is an error naming it with a suggestion")
    func misspeltSet() async throws {
        let run = try await BatonCLI.run(["config", "show", "--set", "worker.concurency=2"])
        #expect(run.status != 0)
        #expect(run.output.contains("worker.concurency (did you mean worker.concurrency?)"), "\(run.output)")
    }

    @Test("a duration without a unit is an error with the two readings, not an 83-hour budget")
    func durationWithoutUnit() async throws {
        let run = try await BatonCLI.run(["worker", "--slice-budget", "300000"])
        #expect(run.status != 0)
        #expect(run.output.contains("worker.sliceBudget"), "\(run.output)")
        #expect(run.output.contains("did you mean 300000ms (5m) or 300000s (83h20m)?"), "\(run.output)")
        #expect(run.output.contains("worker.sliceBudget (--slice-budget)"), "names the flag that gave the value: \(run.output)")
        #expect(!run.output.contains("BATON_WORKER_SLICE_BUDGET"), "not a variable the operator did not set: \(run.output)")
    }

    @Test("a setting given twice on the command line with different values is an error naming it")
    func settingGivenTwice() async throws {
        let run = try await BatonCLI.run(["config", "show", "--set", "worker.retries=5", "--set", "worker.retries=50"])
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("worker.retries: given twice on the command line, --set worker.retries=5 and --set worker.retries=50"), "\(run.output)")
    }

    @Test("a route with a misspelt key, an unknown placeholder or a YAML syntax error stops the command")
    func brokenRoutes() async throws {
        let cases: [(routes: String, expected: String)] = [
            ("routes:\n  - name: finance\n    bucket: reports\n    spaceid: s\n    sourceName: n\n", #"route "finance": unknown route key "spaceid" (did you mean spaceId?)"#),
            ("routes:\n  - name: finance\n    bucket: reports\n    spaceId: s\n    sourceName: \"fin_{stemm}\"\n", "unknown placeholder {stemm} (did you mean {stem}?)"),
            ("routes:\n  - name: finance\n    bucket: [reports\n    spaceId: s\n", "YAML syntax error at line 4, column"),
        ]
        for (routes, expected) in cases {
            let file = try BatonCLI.file(routes, suffix: ".yaml")
            let run = try await BatonCLI.run(["check", "--set", "routing.file=\(file)"])
            #expect(run.status == 1, "config failed: \(run.output)")
            #expect(run.output.contains(expected), "\(run.output)")
            #expect(!run.output.contains("not valid JSON"))
        }
    }

    @Test("publish --event with no object event ends with a summary that says so")
    func publishNothing() async throws {
        let event = try BatonCLI.file(#"{"Records": []}"#)
        let run = try await BatonCLI.run(["publish", "--event", event])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("0 jobs published, 0 unrouted, 0 skipped: the input holds no object event, nothing to publish"), "\(run.output)")

        let json = try await BatonCLI.run(["publish", "--event", event, "--json"])
        #expect(json.output.contains(#"{"summary":{"published":0,"skipped":0,"unrouted":0}}"#), "\(json.output)")
    }

    @Test("publish --event with input that is not JSON exits 64 and still ends with the summary", arguments: [false, true])
    func publishNotJSON(json: Bool) async throws {
        let event = try BatonCLI.file("this is not json")
        let run = try await BatonCLI.run(["publish", "--event", event] + (json ? ["--json"] : []))
        #expect(run.status == 64, "\(run.output)")
        #expect(run.output.contains("not a usable S3 event"), "the reason: \(run.output)")
        let last = run.output.split(separator: "\n").last.map(String.init) ?? ""
        if json {
            #expect(last == #"{"summary":{"published":0,"skipped":0,"unrouted":0}}"#, "\(run.output)")
        } else {
            #expect(last.hasPrefix("0 jobs published, 0 unrouted, 0 skipped: the input is not a usable S3 event"), "\(run.output)")
        }
    }

    @Test("publish's summary counts jobs, unrouted objects and skipped records with reasons")
    func publishSummary() async throws {
        let harness = try await EndToEndHarness("cli-publish")
        defer { Task { await harness.stop() } }
        let record = { (bucket: String, key: String, name: String) in
            #"{"eventName":"\#(name)","s3":{"bucket":{"name":"\#(bucket)"},"object":{"key":"\#(key)","size":5,"sequencer":"0A"}}}"#
        }
        let event = try BatonCLI.file(#"{"Records":["# + [
            record(harness.bucket, "daily/a.csv", "ObjectCreated:Put"),
            record("nobody-routes-this", "x.csv", "ObjectCreated:Put"),
            record(harness.bucket, "daily/gone.csv", "ObjectRemoved:Delete"),
        ].joined(separator: ",") + "]}")
        let run = try await BatonCLI.run(["publish", "--config", harness.configFile, "--event", event], environment: harness.environment)
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n").filter { !$0.hasPrefix("{") }
        #expect(lines.last == "1 job published, 1 unrouted, 1 skipped", "\(run.output)")
        #expect(run.output.contains("skipped Records[2]"), "the skipped record and its reason: \(run.output)")
    }
}
