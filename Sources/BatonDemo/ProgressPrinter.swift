import Baton
import Foundation

/// One line per hand-off: who ran which slice of which job, why it ended, and where
/// the job stands now.
struct ProgressPrinter: Sendable {
    /// Times are printed relative to this (the first publish).
    var origin: Date
    var table: TextTable
    var widths: [Int]

    init(origin: Date, reportKeys: [String]) {
        self.origin = origin
        table = TextTable([
            ("time", .right), ("job", .left), ("report", .left), ("slice", .right), ("worker", .left),
            ("hand-off", .left), ("stage now", .left), ("uploaded", .right), ("", .left),
        ])
        let keyWidth = max(reportKeys.map(\.count).max() ?? 0, 12)
        widths = [6, 8, keyWidth, 5, 9, 10, 12, 8, 0]
    }

    var header: String { table.header(widths: widths) }

    func line(for event: ProgressEvent) -> String {
        switch event {
        case .handoff(let job, let worker, let handoff, let at):
            let isNew = worker == nil
            return table.render([
                time(at), Formatting.shortID(job.jobId), job.source.key,
                isNew ? "-" : String(job.slices), worker ?? "-",
                isNew ? "published" : (handoff ?? "?"), job.stage.rawValue,
                Formatting.bytes(job.birst.uploadedBytes),
                isNew ? "for space \(job.target.spaceId)" : note(job),
            ], widths: widths)
        case .outcome(let record, let at):
            let detail = record.status == .completed
                ? "Birst \(Formatting.seconds(record.timings.birstSeconds)) s, total \(Formatting.seconds(record.timings.totalSeconds)) s"
                : (record.message ?? record.errorKind ?? "")
            return table.render([
                time(at), Formatting.shortID(record.jobId), record.source?.key ?? "?", String(record.slices),
                record.worker ?? "-", record.status.rawValue, "done",
                Formatting.bytes(record.bytesUploaded), detail,
            ], widths: widths)
        }
    }

    private func time(_ at: Date) -> String {
        String(format: "%.1fs", max(0, at.timeIntervalSince(origin)))
    }

    /// A transient error that made the slice back off.
    private func note(_ job: JobEnvelope) -> String {
        guard let error = job.lastError, job.notBefore != nil else { return "" }
        return "retry after: \(error.message.prefix(60))"
    }
}
