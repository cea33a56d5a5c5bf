import Baton
import CoreMetrics
import Foundation
import Testing

@Suite("Metrics: EMF lines in the log, and back to Prometheus")
struct EMFMetricsTests {
    func capture() -> (EMFMetrics, @Sendable () -> [[String: Any]]) {
        let (sink, text) = LogSink.capturing()
        let metrics = EMFMetrics(namespace: "BatonTest", sink: sink)
        return (metrics, {
            text().split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        })
    }

    @Test("a flush writes one EMF object per dimension set: timestamp, namespace, dimensions, metrics with units, the samples since the last flush")
    func emfLine() throws {
        let (metrics, lines) = capture()
        let completed = Counter(label: "baton_jobs_total", dimensions: [("outcome", "completed")], factory: metrics)
        completed.increment(by: 2)
        completed.increment()
        let timer = CoreMetrics.Timer(label: "baton_slice_duration_seconds", dimensions: [("stage", "upload")], factory: metrics)
        timer.recordMilliseconds(250)
        timer.recordMilliseconds(750)
        Recorder(label: "baton_slices_in_flight", aggregate: false, factory: metrics).record(4)
        metrics.flush(at: Date(timeIntervalSince1970: 1_764_540_000.123))

        let objects = lines()
        #expect(objects.count == 3)
        let jobs = try #require(objects.first { $0["baton_jobs_total"] != nil })
        let aws = try #require(jobs["_aws"] as? [String: Any])
        #expect(aws["Timestamp"] as? Int == 1_764_540_000_123)
        let directive = try #require((aws["CloudWatchMetrics"] as? [[String: Any]])?.first)
        #expect(directive["Namespace"] as? String == "BatonTest")
        #expect(directive["Dimensions"] as? [[String]] == [["outcome"]])
        #expect(directive["Metrics"] as? [[String: String]] == [["Name": "baton_jobs_total", "Unit": "Count"]])
        #expect(jobs["outcome"] as? String == "completed")
        #expect(jobs["baton_jobs_total"] as? Int == 3)

        let slices = try #require(objects.first { $0["baton_slice_duration_seconds"] != nil })
        #expect(slices["baton_slice_duration_seconds"] as? [Double] == [0.25, 0.75])
        #expect(((slices["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]])?.first?["Metrics"] as? [[String: String]]
            == [["Name": "baton_slice_duration_seconds", "Unit": "Seconds"]])
        let gauge = try #require(objects.first { $0["baton_slices_in_flight"] != nil })
        #expect(gauge["baton_slices_in_flight"] as? Int == 4)
        #expect((gauge[EMFMetrics.kindsProperty] as? [String: String])?["baton_slices_in_flight"] == "gauge")

        // The next flush carries only what happened since: no counter, no timer; the gauge again.
        completed.increment()
        metrics.flush()
        let next = Array(lines().dropFirst(3))
        #expect(next.count == 2)
        #expect(next.first { $0["baton_jobs_total"] != nil }?["baton_jobs_total"] as? Int == 1)
        #expect(next.contains { $0["baton_slices_in_flight"] as? Int == 4 })
    }

    @Test("EMF limits: at most 100 metrics per object and 100 values per metric")
    func limits() throws {
        let (metrics, lines) = capture()
        for index in 0..<150 {
            Counter(label: "c\(index)_total", dimensions: [("stage", "upload")], factory: metrics).increment()
        }
        let timer = CoreMetrics.Timer(label: "t_seconds", factory: metrics)
        for index in 0..<250 { timer.recordMilliseconds(index) }
        metrics.flush()
        let objects = lines()
        for object in objects {
            let directive = try #require(((object["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]])?.first)
            let names = (directive["Metrics"] as? [[String: String]] ?? []).compactMap { $0["Name"] }
            #expect(names.count <= 100)
            for name in names {
                if let values = object[name] as? [Any] { #expect(values.count <= 100) }
            }
        }
        let counted = objects.reduce(0) { $0 + $1.keys.filter { $0.hasPrefix("c") && $0.hasSuffix("_total") }.count }
        #expect(counted == 150)
        let values = objects.compactMap { $0["t_seconds"] as? [Double] }.flatMap { $0 }
        #expect(values.count == 250)
    }

    @Test("the scraper sums EMF lines and ignores log lines: counters, gauges and histograms in Prometheus text")
    func scraper() throws {
        let (metrics, _) = capture()
        let aggregator = MetricsAggregator()
        let counter = Counter(label: "baton_jobs_total", dimensions: [("outcome", "completed")], factory: metrics)
        let timer = CoreMetrics.Timer(label: "baton_job_duration_seconds", dimensions: [("outcome", "completed")], factory: metrics)
        let gauge = Recorder(label: "baton_slices_in_flight", aggregate: false, factory: metrics)
        counter.increment(by: 2); timer.recordMilliseconds(300); gauge.record(5)
        for line in metrics.flush() { #expect(aggregator.ingest(line: line.dropLast())) }
        counter.increment(); timer.recordMilliseconds(1500); gauge.record(1)
        for line in metrics.flush() { aggregator.ingest(line: line) }
        #expect(!aggregator.ingest(line: Array(#"{"ts":"2026-11-30T10:00:00.000Z","level":"info","msg":"slice started"}"#.utf8)))
        #expect(!aggregator.ingest(line: Array("not json at all".utf8)))

        let text = aggregator.prometheusText()
        #expect(text.contains("# TYPE baton_jobs_total counter"))
        #expect(text.contains(#"baton_jobs_total{outcome="completed"} 3"#))
        #expect(text.contains("# TYPE baton_slices_in_flight gauge"))
        #expect(text.contains("baton_slices_in_flight 1"))
        #expect(text.contains("# TYPE baton_job_duration_seconds histogram"))
        #expect(text.contains(#"baton_job_duration_seconds_bucket{outcome="completed",le="0.5"} 1"#))
        #expect(text.contains(#"baton_job_duration_seconds_bucket{outcome="completed",le="+Inf"} 2"#))
        #expect(text.contains(#"baton_job_duration_seconds_count{outcome="completed"} 2"#))
        #expect(text.contains("# HELP baton_jobs_total"))
        #expect(aggregator.table().contains("baton_jobs_total"))
    }
}
