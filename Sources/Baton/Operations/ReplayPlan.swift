import Foundation

/// Everything one `baton replay` run is asked to do.
public struct ReplayPlan: Sendable {
    /// Topic records are read from; never written, committed or deleted.
    public var source: String
    /// Topic copies are written to (may be the source: a time range back onto itself).
    public var destination: String
    public var selection: ReplaySelection
    public var rewrite: ReplayRewrite
    /// Read and count, write nothing.
    public var dryRun: Bool
    /// Copies per second at most (nil: as fast as the broker takes them).
    public var ratePerSecond: Double?
    /// Stop (as if interrupted) after this many copies were made.
    public var limit: Int?
    /// Where an earlier run of the same replay stopped.
    public var resume: ReplayPositions
    /// Copies handed to the producer and not yet acknowledged, at most.
    public var maxInFlight: Int
    /// How many job ids the summary lists.
    public var sampleSize: Int

    public init(
        source: String, destination: String, selection: ReplaySelection, rewrite: ReplayRewrite = ReplayRewrite(),
        dryRun: Bool = false, ratePerSecond: Double? = nil, limit: Int? = nil, resume: ReplayPositions = ReplayPositions(),
        maxInFlight: Int = 10_000, sampleSize: Int = 10
    ) {
        self.source = source
        self.destination = destination
        self.selection = selection
        self.rewrite = rewrite
        self.dryRun = dryRun
        self.ratePerSecond = ratePerSecond
        self.limit = limit
        self.resume = resume
        self.maxInFlight = max(1, maxInFlight)
        self.sampleSize = sampleSize
    }

    /// - Throws: ``ReplayError`` for an unbounded or contradictory plan.
    public func validate() throws {
        try selection.validate(resuming: !resume.isEmpty)
        if let other = resume.offsets.keys.first(where: { $0.topic != source }) {
            throw ReplayError.invalidResume("names topic \(other.topic), but the replay reads \(source)")
        }
        if let ratePerSecond, ratePerSecond <= 0 { throw ReplayError.invalidSelection("--rate must be positive") }
        if rewrite.maxReplays < 1 { throw ReplayError.invalidSelection("--max-replays must be at least 1") }
        if let retries = rewrite.resetRetries, retries < 1 { throw ReplayError.invalidSelection("--reset-retries must be at least 1") }
    }
}
