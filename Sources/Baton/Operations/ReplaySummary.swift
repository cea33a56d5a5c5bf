import Foundation
import Kafka

/// What a replay did (or, in a dry run, would do).
public struct ReplaySummary: Sendable, Hashable {
    /// The id on this run's copies (`baton-replay-run`).
    public var runID: String
    public var dryRun: Bool
    /// Records read from the source (from the first offset that can match).
    public var scanned: Int
    /// Records the selection matched (copied or refused).
    public var selected: Int
    /// Copies acknowledged (dry run: copies that would be made).
    public var copied: Int
    /// Selected records not copied, by reason.
    public var refused: [ReplayRefusal: Int]
    /// Copies per source partition: acknowledged ones (dry run: that would be made).
    public var copiedPerPartition: [Int32: Int]
    /// Copies whose delivery failed after they were handed to the producer (a timeout, say;
    /// some may never have been sent, which the Kafka wrapper cannot tell yet):
    /// each may be on the destination all the same, and ``positions`` do not pass them, so
    /// a `--resume` may copy them a second time. Zero in a dry run.
    public var unconfirmed: Int
    /// Copies per `baton-error-kind` of the source record ("-" when it has none).
    public var copiedPerErrorKind: [String: Int]
    /// The first distinct job ids (record keys) copied, in reading order.
    public var firstJobIds: [String]
    /// Last handled offset per partition: pass as `--resume` to continue without duplicates.
    public var positions: ReplayPositions
    /// True when the run stopped early (signal, `limit`, or an error) rather than at the end
    /// of every partition.
    public var interrupted: Bool
    /// Why a copy failed, when one did.
    public var failure: String?
    public var elapsed: Duration

    init(runID: String, dryRun: Bool) {
        self.runID = runID
        self.dryRun = dryRun
        scanned = 0
        selected = 0
        copied = 0
        refused = [:]
        copiedPerPartition = [:]
        unconfirmed = 0
        copiedPerErrorKind = [:]
        firstJobIds = []
        positions = ReplayPositions()
        interrupted = false
        elapsed = .zero
    }

    /// Selected records not copied, all reasons together.
    public var refusedCount: Int { refused.values.reduce(0, +) }
}
