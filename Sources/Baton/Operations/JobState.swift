/// Where a job stands, as `baton jobs` reads it from the topics and the workers' commits
/// (``InFlightRule``).
public enum JobState: String, Sendable, Hashable, Codable, CaseIterable {
    /// In flight: its newest envelope on the jobs topic waits for a slice or is in one.
    case inProgress = "in-progress"
    /// In flight: its outcome is recorded, an e-mail or webhook failed, and the
    /// notify-retry envelope the worker handed on has not run to its end yet.
    case notificationsPending = "notifications-pending"
    /// Finished: an outcome covers its newest envelope, or the workers' group committed
    /// past it (its last slice ended and nothing newer was handed on).
    case finished

    /// Whether the job still has work ahead of it.
    public var isInFlight: Bool { self != .finished }

    /// For people: "in progress", "notifications pending", "finished".
    public var text: String { rawValue.replacingOccurrences(of: "-", with: " ") }
}
