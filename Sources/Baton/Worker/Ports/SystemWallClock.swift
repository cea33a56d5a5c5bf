import Foundation

/// The system's clock: what a worker runs on.
public struct SystemWallClock: WallClock {
    public init() {}

    public var now: Date { Date() }
}
