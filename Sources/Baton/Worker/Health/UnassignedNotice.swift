/// When to say that the worker owns no partitions. A member waits silently while the
/// group coordinator (re)balances; on some brokers that wait can outlast a session (a
/// member that never left holds the group), and an operator looking at a silent worker
/// cannot tell it from a hung one. The first notice comes after `first`, each later one
/// after twice the wait before it, up to `longest` apart: a standby worker (more workers
/// than partitions) is not flooded.
public struct UnassignedNotice: Sendable {
    private let first: Duration
    private let longest: Duration
    private var since: ContinuousClock.Instant?
    private var nextAfter: Duration

    /// - Parameters:
    ///   - first: how long without partitions before the first notice.
    ///   - longest: the longest gap between two notices.
    ///   - now: when the worker started waiting (it owns nothing at start).
    public init(first: Duration = .seconds(30), longest: Duration = .seconds(600), now: ContinuousClock.Instant) {
        self.first = first
        self.longest = longest
        self.since = now
        self.nextAfter = first
    }

    /// Records whether the worker owns partitions at `now`. Returns how long it has owned
    /// none when a notice is due, else nil.
    public mutating func observe(assigned: Bool, now: ContinuousClock.Instant) -> Duration? {
        if assigned {
            since = nil
            nextAfter = first
            return nil
        }
        guard let since else {
            self.since = now
            return nil
        }
        let waited = now - since
        guard waited >= nextAfter else { return nil }
        nextAfter = min(nextAfter * 2, waited + longest)
        return waited
    }
}
