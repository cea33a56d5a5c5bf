import BirstSimulator

/// What the simulated Birst received, compared with what was put into S3: every report
/// uploaded byte for byte and each space published exactly once.
struct BirstCheck {
    var inspection: Inspection
    /// Each report's space and the SHA-256 (hex) of its bytes in S3.
    var reports: [(spaceId: String, sha256: String)]

    var identicalUploads: Int {
        reports.filter { report in
            inspection.uploads.contains { $0.spaceID == report.spaceId && $0.finished && $0.sha256 == report.sha256 }
        }.count
    }

    /// Spaces published more than once (a repeated publishData would show here).
    var repeatedPublishes: [String] {
        let spaces = inspection.publishes.map(\.spaceID)
        return Set(spaces).filter { space in spaces.filter { $0 == space }.count > 1 }.sorted()
    }

    var line: String {
        var text = "Birst       \(identicalUploads) of \(reports.count) uploads identical to S3 (SHA-256), \(inspection.publishes.count) publishes"
        text += repeatedPublishes.isEmpty ? ", one per space" : "; published more than once: \(repeatedPublishes.joined(separator: ", "))"
        return text
    }

    var isConsistent: Bool {
        identicalUploads == reports.count && repeatedPublishes.isEmpty && inspection.publishes.count == reports.count
    }
}
