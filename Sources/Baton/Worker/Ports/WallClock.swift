import Foundation

/// The wall-clock time the slice engine stamps into envelopes (`notBefore`,
/// `firstSliceAt`, Birst timings) and compares jobs' ages against. Injected, so a unit
/// test can run a slice at a time of its choosing; deadlines inside a slice stay on the
/// monotonic `ContinuousClock`, which no wall-clock step may move.
public protocol WallClock: Sendable {
    /// The current time (UTC).
    var now: Date { get }
}

extension WallClock {
    /// A wall-clock time `duration` from now, for `notBefore`.
    public func after(_ duration: Duration) -> Date {
        now.addingTimeInterval(duration.seconds)
    }
}
