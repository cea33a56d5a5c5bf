/// Delay before retrying after a transient error: exponential from `initial`, capped at
/// `maximum`, with "equal jitter" (half fixed, half random) so a fleet that failed
/// together does not retry together.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay after the `failures`-th consecutive failure (1 = first).
    public func delay(afterFailures failures: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let ceiling = min(initial * (1 << exponent), maximum)
        return ceiling / 2 + (ceiling / 2) * min(max(random, 0), 1)
    }
}
