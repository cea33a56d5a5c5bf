import Kafka

/// What the worker's loop (``WorkerService``) reacts to, one at a time, in the order it
/// arrives: from the consumer, the rebalance callback, slices, timers, the environment's
/// health and the shutdown signal. Each feeds ``SliceDispatcherState``.
enum WorkerEvent: Sendable {
    /// A fetched message, or the end of a partition's backlog. The reader waits for `taken`
    /// before fetching on, so the consumer's own buffer is the back-pressure.
    case fetched(KafkaConsumerEvent, taken: CheckedContinuation<Void, Never>)
    /// The consumer delivers nothing more: closed (nil), or it failed.
    case fetchEnded((any Error)?)
    /// The consumer group moved partitions. librdkafka waits for `done` (at most the
    /// hand-off grace) before it gives revoked partitions up.
    case rebalance(RebalanceEvent, done: CheckedContinuation<Void, Never>)
    /// The revoked `partitions`' offsets are committed (or the commit failed): the
    /// rebalance may go on.
    case released([TopicPartition])
    /// The hand-off grace of a revocation is over.
    case revokeTimedOut([TopicPartition])
    /// The time allowed for reading a new assignment's backlog is over.
    case catchUpElapsed([TopicPartition])
    case sliceEnded(SliceDispatcherState.Ticket, SliceDispatcherState.SliceEnd)
    /// A running slice is about to produce its publish intent with `slices`; it produces
    /// it once `recorded` is resumed (the state knows the intent before anyone can fetch it).
    case publishIntent(SliceDispatcherState.Ticket, slices: Int, recorded: CheckedContinuation<Void, Never>)
    /// A job waiting out its `notBefore` may take a slot now.
    case delayElapsed(SliceDispatcherState.Ticket)
    /// A commit of `offsets` ended.
    case committed([TopicPartition: Int64], succeeded: Bool)
    /// Birst and S3 became unusable (false) or usable again (true).
    case health(healthy: Bool)
    /// SIGTERM/SIGINT (the service group's graceful shutdown).
    case stop
    /// The shutdown's hand-off grace is over.
    case drainTimedOut
}
