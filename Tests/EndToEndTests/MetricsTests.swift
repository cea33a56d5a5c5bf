import Baton
import BatonTestSupport
import Curl
import Foundation
import Testing

@Suite("End to end: metrics from a worker's log")
struct MetricsTests {
    @Test("a real worker's log: baton metrics passes promtool check metrics, and Prometheus scraping --serve (following the worker's log.metricsPath, as the Kubernetes sidecar does) answers the number of completed jobs; the sidecar's probes pass")
    func fromWorkerLog() async throws {
        let metricsFile = NSTemporaryDirectory() + uniqueName("metrics") + ".emf"
        defer { try? FileManager.default.removeItem(atPath: metricsFile) }
        let harness = try await EndToEndHarness("metrics", settings: ["log.metricsInterval": "300ms", "log.metricsPath": metricsFile])
        defer { Task { await harness.stop() } }
        let keys = ["m0.csv", "m1.csv", "m2.csv"]
        for key in keys { try await harness.putReport(key, size: 60_000) }
        let worker = try harness.spawnWorker("w1")
        defer { worker.kill() }
        try await eventually(40, "the worker to get partitions") { worker.hasAssignment }
        _ = try await harness.publish(keys)
        let outcomes = try await harness.outcomes(keys.count, within: 90)
        let completed = outcomes.filter { $0.status == .completed }.count
        #expect(completed == keys.count)
        worker.signal(SIGTERM)
        #expect(try await worker.wait(timeout: .seconds(20)) == 0)
        let log = try #require(worker.logPath)
        #expect(worker.log.contains(#""CloudWatchMetrics""#), "the worker wrote EMF lines into its log")

        // baton metrics on the log: Prometheus text that promtool accepts.
        let directory = harness.directory
        let baton = EndToEndHarness.batonExecutable
        let exposition = directory + "/metrics.prom"
        #expect(try await ToolProcesses.run([baton, "metrics", log], stdout: exposition, stderr: directory + "/metrics.err") == 0)
        let text = try String(contentsOfFile: exposition, encoding: .utf8)
        #expect(text.contains(#"baton_jobs_total{outcome="completed",route="everything"} \#(completed)"#), "\(text)")
        #expect(text.contains("baton_slice_duration_seconds_bucket"))
        #expect(text.contains("baton_birst_call_duration_seconds_count"))
        #expect(text.contains("baton_slices_started_total"))
        #expect(text.contains(#"baton_environment_healthy{dependency="birst"} 1"#))
        #expect(text.contains(#"baton_continuations_total{reason="checkpoint"}"#))
        let promtool = try await ToolProcesses.run(
            ["promtool", "check", "metrics"], stdout: directory + "/promtool.out", stderr: directory + "/promtool.err", stdin: exposition)
        let complaints = ((try? String(contentsOfFile: directory + "/promtool.out", encoding: .utf8)) ?? "")
            + ((try? String(contentsOfFile: directory + "/promtool.err", encoding: .utf8)) ?? "")
        #expect(promtool == 0, "promtool check metrics: \(complaints)")
        #expect(complaints.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool: \(complaints)")

        // The file holds the same EMF lines as the log.
        let copied = try String(contentsOfFile: metricsFile, encoding: .utf8).split(separator: "\n")
        let logged = worker.log.split(separator: "\n").filter { $0.contains(#""CloudWatchMetrics""#) }
        #expect(!copied.isEmpty && copied == logged, "\(copied.count) lines in log.metricsPath, \(logged.count) EMF lines in the log")

        // A real Prometheus scraping `baton metrics --follow --serve`, a sidecar following the file.
        let metricsPort = try ToolProcesses.freePort()
        let scraper = try ChildProcess(
            [baton, "metrics", "--follow", metricsFile, "--serve", "127.0.0.1:\(metricsPort)"], logPath: directory + "/scraper.log")
        defer { scraper.kill() }
        for probe in ["livez", "readyz"] {
            let url = "http://127.0.0.1:\(metricsPort)/\(probe)"
            try await eventually(30, "\(url) to answer 200", every: .milliseconds(200)) {
                (try? await harness.http.execute(HTTPRequest(url: url, connectTimeout: .seconds(2), timeout: .seconds(5))))?.status == 200
            }
        }
        let prometheusPort = try ToolProcesses.freePort()
        let config = directory + "/prometheus.yml"
        try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: baton
                static_configs:
                  - targets: ["127.0.0.1:\(metricsPort)"]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let prometheus = try ChildProcess(
            ["prometheus", "--config.file=\(config)", "--web.listen-address=127.0.0.1:\(prometheusPort)",
             "--storage.tsdb.path=\(directory)/tsdb"],
            logPath: directory + "/prometheus.log")
        defer { prometheus.kill() }
        let query = #"sum(baton_jobs_total{outcome="completed"})"#
        try await eventually(60, "Prometheus to answer \(query)", every: .milliseconds(500)) {
            await ToolProcesses.prometheusValue(harness.http, port: prometheusPort, query: query) != nil
        }
        let value = await ToolProcesses.prometheusValue(harness.http, port: prometheusPort, query: query)
        #expect(value == Double(completed), "Prometheus says \(String(describing: value)); \(completed) jobs completed")
    }
}
