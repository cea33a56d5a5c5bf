import Baton

/// `baton jobs show --json`.
struct JobHistoryView: Codable {
    var jobId: String
    var inFlight: Bool
    var history: [JobHistoryEntry]

    /// In flight when its newest record is not an outcome.
    static func inFlight(_ history: [JobHistoryEntry]) -> Bool {
        guard let last = history.last(where: { $0.kind != .deadLetter }) else { return false }
        return last.kind != .outcome
    }
}
