import Baton

/// `baton jobs show --json`.
struct JobHistoryView: Codable {
    var jobId: String
    /// Whether the job still has work ahead of it (`state` is not `finished`).
    var inFlight: Bool
    var state: JobState
    var history: [JobHistoryEntry]
}
