import Baton
import BatonTestSupport
import Foundation
import Synchronization
import Testing

@Suite("The worker's metrics file for a sidecar (log.metricsPath)")
struct MetricsFileTests {
    @Test("the file and its one rotated copy stay within twice the size bound, and a follower reads every line once, in order")
    func rotationBoundAndFollower() async throws {
        let directory = NSTemporaryDirectory() + uniqueName("metrics-file")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/metrics.emf"
        let maxSize = 4096
        let file = try MetricsFile(path: path, maxSize: maxSize)
        let received = Received()
        let follower = LogFollower(paths: [path], follow: true, pollInterval: .milliseconds(10))
        let task = Task { try await follower.run { line in received.append(String(decoding: line, as: UTF8.self)) } }
        defer { task.cancel() }

        // 100-byte lines, 1 KiB per step: the follower keeps up, as a sidecar does with
        // a flush every log.metricsInterval. Every step, the bound holds.
        let line = { (n: Int) in "line \(String(format: "%05d", n)) " + String(repeating: "x", count: 88) + "\n" }
        var written = 0
        for step in 0..<40 {
            for _ in 0..<10 {
                file.write(Data(line(written).utf8))
                written += 1
            }
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            let rotated = (try? FileManager.default.attributesOfItem(atPath: path + ".1")[.size] as? NSNumber)?.intValue ?? 0
            #expect(size <= maxSize, "step \(step): \(size) bytes in the file")
            #expect(size + rotated <= 2 * maxSize, "step \(step): \(size + rotated) bytes in the file and its copy")
            let expected = written
            try await eventually(30, "the follower to read \(expected) lines") { received.all.count >= expected }
        }
        #expect(FileManager.default.fileExists(atPath: path + ".1"), "the file was rotated")
        #expect(!FileManager.default.fileExists(atPath: path + ".2"), "one rotated copy only")
        #expect(received.all == (0..<written).map { String(line($0).dropLast()) })
    }

    @Test("a file in a directory that does not exist is an error at start-up, not lost metrics")
    func unwritablePath() {
        #expect(throws: (any Error).self) {
            _ = try MetricsFile(path: "/nonexistent-\(uniqueName("dir"))/metrics.emf", maxSize: 4096)
        }
    }
}

@Suite("The sidecar's probes of a worker (baton metrics --serve)")
struct WorkerProbeTests {
    @Test("liveness: fresh metrics lines pass, none for longer than the bound fail; a worker paused for Birst stays alive but is not ready")
    func probes() {
        let start = ContinuousClock.now
        let bound = Duration.seconds(60)
        let waiting = WorkerProbe.liveness(lastLine: nil, started: start, now: start + .seconds(30), staleAfter: bound)
        #expect(waiting.passes)
        let neverWrote = WorkerProbe.liveness(lastLine: nil, started: start, now: start + .seconds(61), staleAfter: bound)
        #expect(!neverWrote.passes)
        #expect(neverWrote.reason.contains("log.metricsPath"))
        let fresh = WorkerProbe.liveness(lastLine: start + .seconds(100), started: start, now: start + .seconds(150), staleAfter: bound)
        #expect(fresh.passes)
        let hung = WorkerProbe.liveness(lastLine: start + .seconds(100), started: start, now: start + .seconds(161), staleAfter: bound)
        #expect(!hung.passes)
        #expect(hung.reason.contains("hangs"))

        #expect(WorkerProbe.readiness(alive: fresh, environment: ["birst": 1, "s3": 1]).passes)
        let paused = WorkerProbe.readiness(alive: fresh, environment: ["birst": 0, "s3": 1])
        #expect(!paused.passes)
        #expect(paused.reason.contains("birst"))
        #expect(!WorkerProbe.readiness(alive: fresh, environment: [:]).passes)
        #expect(WorkerProbe.readiness(alive: hung, environment: ["birst": 1, "s3": 1]) == hung)
    }

    @Test("the aggregator keeps the latest environment health per dependency from EMF lines")
    func environmentFromLines() {
        let aggregator = MetricsAggregator()
        func line(_ birst: Int) -> String {
            #"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Baton","Dimensions":[["dependency"]],"Metrics":[{"Name":"baton_environment_healthy","Unit":"None"}]}]},"dependency":"birst","baton_environment_healthy":\#(birst),"BatonMetricKinds":{"baton_environment_healthy":"gauge"}}"#
        }
        #expect(aggregator.lastLineRead == nil)
        #expect(aggregator.ingest(line: Array(line(1).utf8)))
        #expect(aggregator.environmentHealth == ["birst": 1])
        #expect(aggregator.ingest(line: Array(line(0).utf8)))
        #expect(aggregator.environmentHealth == ["birst": 0])
        #expect(aggregator.lastLineRead != nil)
    }
}

@Suite("One metrics service for several workers (deploy/compose)")
struct LabelledWorkersTests {
    @Test("the same series from two workers' files stay two series, labelled by worker, and each sums its own lines")
    func labels() {
        let aggregator = MetricsAggregator()
        let line = #"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Baton","Dimensions":[["outcome"]],"Metrics":[{"Name":"baton_jobs_total","Unit":"Count"}]}]},"outcome":"completed","baton_jobs_total":2,"BatonMetricKinds":{"baton_jobs_total":"counter"}}"#
        #expect(aggregator.ingest(line: Array(line.utf8), labels: [("worker", "a")]))
        #expect(aggregator.ingest(line: Array(line.utf8), labels: [("worker", "a")]))
        #expect(aggregator.ingest(line: Array(line.utf8), labels: [("worker", "b")]))
        let text = aggregator.prometheusText()
        #expect(text.contains(#"baton_jobs_total{outcome="completed",worker="a"} 4"#), "\(text)")
        #expect(text.contains(#"baton_jobs_total{outcome="completed",worker="b"} 2"#), "\(text)")
        #expect(aggregator.conflicts == 0)
    }
}

private final class Received: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
