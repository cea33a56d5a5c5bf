import Foundation

/// Numbers as the demo prints them.
enum Formatting {
    /// 0 B, 812 KB, 4.8 MB (decimal units, like `ls -h --si`).
    static func bytes(_ count: Int) -> String {
        switch count {
        case ..<1000: return "\(count) B"
        case ..<1_000_000: return "\(count / 1000) KB"
        default: return String(format: "%.1f MB", Double(count) / 1_000_000)
        }
    }

    /// Seconds with one decimal: 12.4
    static func seconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        return String(format: "%.1f", value)
    }

    /// The first 8 characters of a job id.
    static func shortID(_ jobId: String) -> String {
        String(jobId.prefix(8))
    }

    /// `text` right-aligned in `width` columns.
    static func padLeft(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
