/// Kafka header names on `baton.jobs`, `baton.jobs.dlq` and `baton.outcomes` (DESIGN.md §3).
public enum JobHeaders {
    /// The slice number this message is the input of.
    public static let attempt = "baton-attempt"
    public static let retriesLeft = "baton-retries-left"
    /// topic/partition/offset of the job's first message, for tracing a job back.
    public static let origin = "baton-origin"
    public static let worker = "baton-worker"
    /// Why the previous slice handed the job on: budget, backoff, shutdown, rebalance.
    public static let handoff = "baton-handoff"
    public static let errorKind = "baton-error-kind"
    public static let error = "baton-error"
    /// Set on a dead letter the broker would not take whole: the original sizes.
    public static let truncated = "baton-truncated"
    /// Where a dead letter came from: topic/partition/offset.
    public static let deadLetterSource = "baton-dlq-source"
    /// On an outcome a worker produced: topic/partition/offset of the message whose run
    /// produced it, so a second run of that message finds it (``OutcomeLedger``).
    public static let source = "baton-source"
    /// How many times an operator has replayed the job: a replayed job starts a new
    /// lineage (``JobLineage``), so its copies are not taken for stale ones.
    public static let replays = "baton-replays"
    /// Set by `baton replay` on each copy: topic/partition/offset of the record it copied.
    public static let replayedFrom = "baton-replayed-from"
    /// Set by `baton replay` on each copy: the id of the replay run that wrote it, so a
    /// replay of a topic onto itself stops where its own copies begin.
    public static let replayRun = "baton-replay-run"
}
