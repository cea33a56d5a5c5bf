import Baton
import BatonTestSupport
import Curl
import Foundation
import Testing

/// The Kubernetes worker pod's probes (deploy/kubernetes/worker-deployment.yaml) come from
/// its `baton metrics --follow … --serve` sidecar, which reads the worker's
/// `log.metricsPath`. A worker paused for an environment fault must stay live (a restart
/// cannot fix Birst) but not ready; a worker that stops writing must fail liveness.
@Suite("End to end: the metrics sidecar's probes of a real worker")
struct SidecarProbeTests {
    @Test("Birst refuses the login: the paused worker stays live and is not ready; fixed, it is ready; stopped, it is no longer live")
    func pausedWorker() async throws {
        let metricsFile = NSTemporaryDirectory() + uniqueName("probe") + ".emf"
        defer { try? FileManager.default.removeItem(atPath: metricsFile) }
        let harness = try await EndToEndHarness("probes", settings: [
            "log.metricsInterval": "300ms", "log.metricsPath": metricsFile, "worker.environmentRecheck": "300ms",
        ])
        defer { Task { await harness.stop() } }
        harness.simulator.setPassword("something-else", for: "baton")
        let worker = try harness.spawnWorker("w")
        defer { worker.kill() }

        let port = try ToolProcesses.freePort()
        // Ten metrics intervals, stretched on a busy machine like every other limit.
        let staleAfter = Int((3 * TestTime.scale).rounded(.up))
        let sidecar = try ChildProcess(
            [EndToEndHarness.batonExecutable, "metrics", "--follow", metricsFile, "--serve", "127.0.0.1:\(port)", "--stale-after", "\(staleAfter)s"],
            logPath: harness.directory + "/sidecar.log")
        defer { sidecar.kill() }
        @Sendable func probe(_ path: String) async -> (status: Int, body: String)? {
            let request = HTTPRequest(url: "http://127.0.0.1:\(port)/\(path)", connectTimeout: .seconds(2), timeout: .seconds(5))
            guard let response = try? await harness.http.execute(request) else { return nil }
            return (response.status, response.bodyText)
        }

        try await eventually(30, "the start-up check to fail") {
            worker.logLines.contains { ($0["msg"] ?? "").hasPrefix("start-up check failed: Birst refused the login") }
        }
        try await eventually(30, "/readyz to say the worker is paused for Birst") {
            guard let ready = await probe("readyz") else { return false }
            return ready.status == 503 && ready.body.contains("birst")
        }
        // Sampled over longer than the liveness bound (the last sample comes after it),
        // the paused worker stays live (it keeps writing its metrics) and unready.
        let first = ContinuousClock.now
        var last = first
        repeat {
            let live = await probe("livez")
            #expect(live?.status == 200, "a paused worker must not fail liveness: \(String(describing: live))")
            #expect(await probe("readyz")?.status == 503)
            last = ContinuousClock.now
            try await Task.sleep(for: .milliseconds(500))
        } while last - first <= .seconds(staleAfter)

        harness.simulator.setPassword("baton-dev", for: "baton")
        try await eventually(30, "/readyz to pass once Birst accepts the login") { await probe("readyz")?.status == 200 }
        #expect(await probe("livez")?.status == 200)

        // A worker that writes no more (here: it stopped) fails liveness after the bound.
        worker.signal(SIGTERM)
        #expect(try await worker.wait(timeout: .seconds(20)) == 0)
        try await eventually(Double(staleAfter) + 10, "/livez to fail without new metrics lines") {
            guard let live = await probe("livez") else { return false }
            return live.status == 503 && live.body.contains("hangs or stopped writing")
        }
    }
}
