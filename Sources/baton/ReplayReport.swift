import Baton

/// A replay's summary as people (lines) or scripts (`--json`) read it.
struct ReplayReport: Encodable {
    var runId: String
    var source: String
    var destination: String
    var dryRun: Bool
    var read: Int
    var selected: Int
    var copied: Int
    var refused: [String: Int]
    var copiedPerPartition: [String: Int]
    var copiedPerErrorKind: [String: Int]
    var firstJobIds: [String]
    var interrupted: Bool
    /// The `--resume` argument that continues the run (when it stopped early).
    var resume: String?
    var failure: String?
    /// Copies whose delivery failed without a definite answer: each may be on the destination.
    var unconfirmed: Int
    var seconds: Double

    init(_ summary: ReplaySummary, plan: ReplayPlan) {
        runId = summary.runID
        source = plan.source
        destination = plan.destination
        dryRun = summary.dryRun
        read = summary.scanned
        selected = summary.selected
        copied = summary.copied
        refused = Dictionary(uniqueKeysWithValues: summary.refused.map { ($0.key.rawValue, $0.value) })
        copiedPerPartition = Dictionary(uniqueKeysWithValues: summary.copiedPerPartition.map { (String($0.key), $0.value) })
        copiedPerErrorKind = summary.copiedPerErrorKind
        firstJobIds = summary.firstJobIds
        interrupted = summary.interrupted
        resume = summary.interrupted && !summary.positions.isEmpty ? summary.positions.description : nil
        failure = summary.failure
        unconfirmed = summary.unconfirmed
        seconds = summary.elapsed.seconds
    }

    static func lines(_ summary: ReplaySummary, plan: ReplayPlan) -> [String] {
        var lines: [String] = []
        let verb = summary.dryRun ? "would copy" : "copied"
        lines.append(
            "\(verb) \(summary.copied) of \(summary.selected) selected records (\(summary.scanned) read) from \(plan.source) "
                + "to \(plan.destination) in \(ReplayProgressPrinter.duration(summary.elapsed.seconds))"
                + (summary.dryRun ? " (dry run; nothing produced)" : ""))
        for (partition, count) in summary.copiedPerPartition.sorted(by: { $0.key < $1.key }) {
            lines.append("  partition \(partition): \(count)")
        }
        for (kind, count) in summary.copiedPerErrorKind.sorted(by: { $0.key < $1.key }) {
            lines.append("  error kind \(kind): \(count)")
        }
        for (refusal, count) in summary.refused.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            lines.append("  refused (\(refusal.rawValue)): \(count)")
        }
        if !summary.firstJobIds.isEmpty {
            lines.append("  first job ids: \(summary.firstJobIds.joined(separator: ", "))")
        }
        if let failure = summary.failure { lines.append("failed: \(failure)") }
        if summary.unconfirmed > 0 {
            lines.append(
                "warning: \(summary.unconfirmed) cop\(summary.unconfirmed == 1 ? "y" : "ies") failed without a definite answer (a timeout, say): "
                    + "each may be on \(plan.destination) all the same, and --resume would copy it again; "
                    + "this run's copies carry the header \(JobHeaders.replayRun)=\(summary.runID)")
        }
        if summary.interrupted {
            if summary.positions.isEmpty {
                lines.append("stopped before anything was handled; run the same command again")
            } else {
                lines.append("stopped early; last handled offsets: \(summary.positions)")
                lines.append("continue with: --resume '\(summary.positions)'")
            }
        }
        return lines
    }
}
