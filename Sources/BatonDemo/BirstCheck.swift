import BirstSimulator

/// What the simulated Birst received, compared with what was put into S3: every finished
/// upload checked against the S3 version its job names (SHA-256), every report uploaded
/// byte for byte, and each space published exactly once.
struct BirstCheck {
    var inspection: Inspection
    /// Each report's space and the SHA-256 (hex) of its bytes in S3.
    var reports: [(spaceId: String, sha256: String)]

    /// Reports whose space holds a finished upload with exactly their bytes, and no
    /// finished upload with other bytes.
    var identicalUploads: Int {
        reports.filter { report in
            let finished = inspection.uploads.filter { $0.spaceID == report.spaceId && $0.finished }
            return finished.contains { $0.sha256 == report.sha256 } && !finished.contains { upload in !expected(upload) }
        }.count
    }

    /// Finished uploads whose bytes are no report's of their space: Birst holds
    /// something S3 never did (a chunk received twice, a mix of two versions).
    var inexactUploads: [UploadRecord] {
        inspection.uploads.filter { $0.finished && !expected($0) }
    }

    private func expected(_ upload: UploadRecord) -> Bool {
        reports.contains { $0.spaceId == upload.spaceID && $0.sha256 == upload.sha256 }
    }

    /// Spaces published more than once (a repeated publishData would show here).
    var repeatedPublishes: [String] {
        let spaces = inspection.publishes.map(\.spaceID)
        return Set(spaces).filter { space in spaces.filter { $0 == space }.count > 1 }.sorted()
    }

    var line: String {
        var text = "Birst       \(identicalUploads) of \(reports.count) uploads identical to S3 (SHA-256), \(inspection.publishes.count) publishes"
        text += repeatedPublishes.isEmpty ? ", one per space" : "; published more than once: \(repeatedPublishes.joined(separator: ", "))"
        for upload in inexactUploads {
            text += "\n            not in S3: \(upload.bytesReceived) bytes in space \(upload.spaceID) (sha256 \(upload.sha256.prefix(12))…)"
        }
        return text
    }

    var isConsistent: Bool {
        identicalUploads == reports.count && inexactUploads.isEmpty && repeatedPublishes.isEmpty
            && inspection.publishes.count == reports.count
    }
}
