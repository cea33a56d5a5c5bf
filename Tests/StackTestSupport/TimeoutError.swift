import Foundation

/// A bounded wait in a test ran out.
public struct TimeoutError: Error, CustomStringConvertible {
    /// The (scaled) limit that ran out.
    public var limit: Duration
    public var what: String

    public init(limit: Duration, what: String) {
        self.limit = limit
        self.what = what
    }

    public var description: String {
        let scale = TestTime.scale == 1 ? "" : " (BATON_TEST_TIME_SCALE=\(TestTime.scale))"
        return "timed out after \(limit)\(scale) waiting for \(what)"
    }
}
