/// The instant by which a piece of work must be finished, like Lambda's
/// `getRemainingTime()`: every Birst call takes one and never outlives it.
public struct Deadline: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let instant: ContinuousClock.Instant

    public init(_ instant: ContinuousClock.Instant) {
        self.instant = instant
    }

    /// A deadline `duration` from now.
    public static func after(_ duration: Duration) -> Deadline {
        Deadline(.now + duration)
    }

    /// Time left, never negative.
    public var remaining: Duration {
        let left = instant - ContinuousClock.now
        return left > .zero ? left : .zero
    }

    public var hasPassed: Bool { ContinuousClock.now >= instant }

    /// `duration`, shortened so that it ends no later than this deadline.
    public func clamp(_ duration: Duration) -> Duration {
        min(duration, remaining)
    }

    /// The earlier of two deadlines (e.g. a slice deadline and a per-call budget).
    public func earliest(_ other: Deadline) -> Deadline {
        self < other ? self : other
    }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.instant < rhs.instant
    }

    public var description: String {
        "Deadline(remaining: \(remaining))"
    }
}
