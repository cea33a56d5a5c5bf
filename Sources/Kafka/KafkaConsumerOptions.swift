/// Behaviour of ``KafkaConsumer`` beyond librdkafka's own properties.
public struct KafkaConsumerOptions: Sendable, Hashable {
    /// A partition whose buffer (messages fetched but not yet returned by `next()`) reaches
    /// this many messages is paused at the librdkafka level, so fetching stops for it.
    public var highWaterMessages: Int
    /// …or this many bytes (key + value + headers).
    public var highWaterBytes: Int
    /// A partition paused for backpressure resumes fetching once its buffer is at or below
    /// both low-water marks (and the application has not paused it).
    public var lowWaterMessages: Int
    public var lowWaterBytes: Int
    /// How long a revoke or lost event waits for the `onRebalance` handler before the
    /// partitions are given up anyway. Keep it below `max.poll.interval.ms`.
    public var rebalanceHandoffTimeout: Duration
    /// Longest single wait in `rd_kafka_consumer_poll` (the poll thread is woken earlier for
    /// pause, resume and close).
    public var pollTimeout: Duration

    public init(
        highWaterMessages: Int = 1000,
        highWaterBytes: Int = 16 << 20,
        lowWaterMessages: Int? = nil,
        lowWaterBytes: Int? = nil,
        rebalanceHandoffTimeout: Duration = .seconds(10),
        pollTimeout: Duration = .milliseconds(100)
    ) {
        self.highWaterMessages = max(1, highWaterMessages)
        self.highWaterBytes = max(1, highWaterBytes)
        self.lowWaterMessages = min(lowWaterMessages ?? highWaterMessages / 2, self.highWaterMessages - 1)
        self.lowWaterBytes = min(lowWaterBytes ?? highWaterBytes / 2, self.highWaterBytes - 1)
        self.rebalanceHandoffTimeout = rebalanceHandoffTimeout
        self.pollTimeout = pollTimeout
    }
}
