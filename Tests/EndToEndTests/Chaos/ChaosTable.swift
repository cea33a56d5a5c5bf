import Foundation

/// The chaos audit as a table, one row per scenario, plus scenario 7 (the secrets scan
/// over all of them). Printed to standard output so it shows in `make test` and
/// `make chaos`; with `BATON_TEST_CHAOS_TABLE=FILE` also written there (scripts/chaos prints it
/// again at the end, after the test runner's own output).
enum ChaosTable {
    static let columns = [
        "scenario", "submitted", "completed", "failed", "dead-lettered", "superseded", "unconfirmed", "lost",
        "duplicate publishes", "uploads not identical to S3", "extra outcomes", "uncommitted", "secrets", "seconds",
    ]

    static func render(_ audits: [ChaosAudit], title: String) -> String {
        var rows = audits.map { audit in
            [audit.scenario] + [
                audit.submitted, audit.completed, audit.failed, audit.deadLettered, audit.superseded, audit.unconfirmed, audit.lost,
                audit.duplicatePublishes, audit.inexactUploads, audit.extraOutcomes, audit.uncommitted, audit.secrets,
            ].map(String.init) + [String(format: "%.0f", audit.seconds)]
        }
        let lines = audits.reduce(0) { $0 + $1.logLinesScanned }
        let records = audits.reduce(0) { $0 + $1.recordsScanned }
        rows.append(["7 secrets scan: \(lines) log lines, \(records) records"] + Array(repeating: "", count: 11)
            + [String(audits.reduce(0) { $0 + $1.secrets }), ""])
        let widths = columns.indices.map { column in ([columns] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "| " + cells.indices.map { index in
                index == 0 ? cells[index].padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - cells[index].count) + cells[index]
            }.joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
        return ([title, line(columns), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// Prints the table and, with `BATON_TEST_CHAOS_TABLE` set, writes it to that file.
    static func publish(_ audits: [ChaosAudit], title: String) {
        let text = render(audits, title: title)
        print("\n" + text, terminator: "")
        if let path = ProcessInfo.processInfo.environment["BATON_TEST_CHAOS_TABLE"], !path.isEmpty {
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}
