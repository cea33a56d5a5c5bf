import Foundation

/// A replay's counts so far, reported while it runs.
public struct ReplayProgress: Sendable, Hashable {
    /// Records read from the source topic.
    public var scanned: Int
    /// Records selected (copied, about to be, or refused).
    public var selected: Int
    /// Copies acknowledged by the broker (in a dry run: copies that would be made).
    public var copied: Int
    public var refused: Int
    /// Records the run expects to read, from the brokers' watermarks (a hint; nil when
    /// unknown). On brokers whose watermarks are approximate it can be off.
    public var estimatedTotal: Int?
    /// Time since the run started reading.
    public var elapsed: Duration

    /// Seconds left at the current reading speed, if a total is known.
    public var etaSeconds: Double? {
        guard let estimatedTotal, scanned > 0, elapsed > .zero else { return nil }
        let rate = Double(scanned) / elapsed.seconds
        return Double(max(0, estimatedTotal - scanned)) / rate
    }
}
