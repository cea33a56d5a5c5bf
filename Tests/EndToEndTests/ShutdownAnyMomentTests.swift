import Baton
import BatonTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A rolling deploy stops workers at any moment: while they load their configuration,
/// while they join the group (where librdkafka 2.0.2 aborts a `cooperative-sticky`
/// consumer, librdkafka #4312), once they have partitions. Each must stop cleanly. And
/// `baton publish` must react to Ctrl-C while it waits for a broker that is down.
@Suite("Shutdown at any moment")
struct ShutdownAnyMomentTests {
    /// When SIGTERM comes, after the process started: the test's input, not a wait for
    /// something. On the test broker a member's JoinGroup is answered after about 3 s
    /// (half the session timeout); 0.3 s, 1 s and 2 s fall before that, 4 s and 6 s after it,
    /// where a `cooperative-sticky` member (whose join takes about 11 s) has chosen its
    /// assignor but has no assignment yet: the moment librdkafka 2.0.2 aborts in. The other
    /// members' arrivals and departures rebalance the group meanwhile.
    static let delays: [Duration] = [.milliseconds(300), .seconds(1), .seconds(2), .seconds(4), .seconds(6)]
    static let rounds = 3

    @Test("SIGTERM 0.3 s, 1 s, 2 s, 4 s and 6 s after start, round after round: exit 0, only JSON lines on stderr")
    func sigtermWhileStarting() async throws {
        let harness = try await EndToEndHarness("sigterm-start")
        defer { Task { await harness.stop() } }
        for round in 1...Self.rounds {
            // The workers of a round at once, in one group, like pods replaced during a deploy.
            try await withThrowingTaskGroup(of: (id: String, status: Int32, log: String).self) { group in
                for delay in Self.delays {
                    let id = "r\(round)-\(Int(delay / .milliseconds(1)))ms"
                    group.addTask {
                        let worker = try harness.spawnWorker(id)
                        do {
                            // The clock starts when the program catches SIGTERM: before that
                            // (a few ms after exec, longer on a loaded machine) the dynamic
                            // loader runs and no program can handle a signal.
                            _ = try await worker.waitUntilCatching(SIGTERM, timeout: .seconds(20))
                            try await Task.sleep(for: delay)
                            worker.signal(SIGTERM)
                            // Bounded by worker.shutdownGrace (8 s) plus leaving the group.
                            let status = try await worker.wait(timeout: .seconds(30))
                            return (id, status, worker.log)
                        } catch {
                            worker.kill()
                            throw error
                        }
                    }
                }
                for try await (id, status, log) in group {
                    #expect(status == 0, "\(id) exited with \(status):\n\(log.suffix(3000))")
                    let lines = log.split(separator: "\n")
                    let notJSON = lines.filter { line in
                        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] == nil
                    }
                    #expect(notJSON.isEmpty, "\(id): \(notJSON.count) of \(lines.count) lines are not JSON, e.g. \(notJSON.prefix(3))")
                    #expect(log.contains(#""msg":"worker stopped""#), "\(id) did not stop through its graceful shutdown:\n\(log.suffix(3000))")
                }
            }
        }
    }

    @Test("Ctrl-C or SIGTERM while baton publish waits for a broker that is down: it ends at once, non-zero, saying nothing was published",
          arguments: [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")])
    func publishInterrupted(signal: Int32, name: String) async throws {
        let harness = try await EndToEndHarness("publish-\(name.lowercased())")
        defer { Task { await harness.stop() } }
        // Without the signal it would wait this long for the broker's acknowledgement.
        let deliveryTimeout = TestTime.seconds(120)
        let log = "\(harness.directory)/publish.log"
        let publish = try ChildProcess(
            [EndToEndHarness.batonExecutable, "publish", "s3://\(harness.bucket)/report.csv", "--config", harness.configFile,
             "--set", "kafka.bootstrapServers=127.0.0.1:\(closedLoopbackPort())",
             "--set", "kafka.deliveryTimeout=\(Int(deliveryTimeout / .seconds(1)))s"],
            environment: harness.environment, logPath: log)
        defer { publish.kill() }
        // Waiting for the broker: librdkafka reports the refused connection.
        try await eventually(20, "publish to try the broker") { publish.log.contains("Connection refused") }

        let signalled = ContinuousClock.now
        publish.signal(signal)
        let status = try await publish.wait(timeout: .seconds(20))
        let took = ContinuousClock.now - signalled

        let output = publish.log
        #expect(status == 128 + signal, "exit \(status):\n\(output)")
        #expect(took < deliveryTimeout / 2, "ended \(took) after the signal")
        let message = output.split(separator: "\n").first { $0.hasPrefix("baton publish: interrupted by \(name)") }
        #expect(message != nil, "no interruption message:\n\(output)")
        #expect(message?.contains("nothing was published") == true, "\(message ?? "")")
        #expect(!output.split(separator: "\n").contains { $0.hasPrefix("job ") }, "a job reported as published:\n\(output)")
    }
}
