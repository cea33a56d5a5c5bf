/// A route's rule for objects of 0 bytes (not folder markers, which are always skipped).
public enum EmptyObjectPolicy: String, Sendable, Hashable, Codable {
    /// Record an outcome `skipped` and leave Birst alone (the default): an empty report
    /// has no rows, and uploading it would replace the source's data with nothing.
    case skip
    /// Upload the empty object and publish like any other report.
    case upload
}
