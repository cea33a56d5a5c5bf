/// Where a job is in its relay (DESIGN.md §1). A slice runs the current stage and
/// moves on while its budget lasts.
public enum JobStage: String, Sendable, Codable, CaseIterable {
    case upload
    case awaitUpload
    case publish
    case awaitPublish
    case notify
}
