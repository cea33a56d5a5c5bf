import Baton
import Foundation

/// The closing table (one row per published job) and the end-to-end figures.
struct DemoSummary {
    var entries: [JobBoard.Entry]
    /// When the first job was published.
    var firstPublish: Date
    /// When the demo command started.
    var demoStart: Date
    var workers: Int
    var slicesByWorker: [String: Int]

    var completed: Int { entries.filter { $0.outcome?.status == .completed }.count }
    var allCompleted: Bool { !entries.isEmpty && completed == entries.count }

    /// From the first publish to the last outcome.
    var jobsSeconds: Double {
        let last = entries.compactMap(\.outcomeAt).max() ?? Date()
        return max(0.001, last.timeIntervalSince(firstPublish))
    }

    func tableLines() -> [String] {
        var table = TextTable([
            ("job", .left), ("report", .left), ("space", .left), ("status", .left), ("slices", .right),
            ("bytes", .right), ("Birst s", .right), ("total s", .right),
        ])
        for entry in entries {
            let outcome = entry.outcome
            table.rows.append([
                Formatting.shortID(entry.jobId), entry.key, entry.spaceId, outcome?.status.rawValue ?? "unfinished (\(entry.stage))",
                String(entry.slices), Formatting.bytes(entry.uploadedBytes),
                Formatting.seconds(outcome?.timings.birstSeconds), Formatting.seconds(outcome?.timings.totalSeconds),
            ])
        }
        return table.lines()
    }

    func figureLines(now: Date = Date()) -> [String] {
        let slices = entries.reduce(0) { $0 + $1.slices }
        let bytes = entries.reduce(0) { $0 + $1.uploadedBytes }
        let perMinute = Double(completed) / (jobsSeconds / 60)
        let wall = now.timeIntervalSince(demoStart)
        return [
            "jobs        \(completed) of \(entries.count) completed, \(slices) slices, \(Formatting.bytes(bytes)) uploaded",
            "workers     " + (1...max(1, workers)).map { "worker-\($0) \(slicesByWorker["worker-\($0)"] ?? 0) slices" }.joined(separator: " · ")
                + "  (a job stays on its partition; partitions are shared among the workers)",
            entries.allSatisfy { $0.outcome != nil }
                ? "end to end  \(Formatting.seconds(jobsSeconds)) s from the first publish to the last outcome: \(String(format: "%.1f", perMinute)) jobs/min"
                : "end to end  not every job finished; \(completed) completed",
            "wall time   \(Formatting.seconds(wall)) s for the whole demo (build excluded)",
        ]
    }
}
