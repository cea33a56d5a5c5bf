import Foundation

/// Where every time limit of the tests comes from. On a quiet machine a limit is what the
/// test names; `BATON_TEST_TIME_SCALE` (a positive number, default 1) multiplies all of them
/// at once for a slow or busy machine, e.g. `BATON_TEST_TIME_SCALE=3 make test`.
///
/// A limit says how long a test waits before it calls something lost; it is never the
/// claim under test. Tests do not assert that something finished *within* a wall-clock
/// bound that load could break: where speed is the point ("cancellation ends a request at
/// once"), they compare against a far larger limit (the request's own timeout), derived
/// from these scaled values.
public enum TestTime {
    /// `BATON_TEST_TIME_SCALE`, default 1.
    public static let scale: Double = {
        guard let raw = ProcessInfo.processInfo.environment["BATON_TEST_TIME_SCALE"], !raw.isEmpty else { return 1 }
        guard let value = Double(raw), value > 0, value.isFinite else {
            fatalError("BATON_TEST_TIME_SCALE must be a positive number, not \"\(raw)\"")
        }
        return value
    }()

    /// `seconds` on a quiet machine, scaled.
    public static func seconds(_ seconds: Double) -> Duration {
        .milliseconds(Int((seconds * scale * 1000).rounded(.up)))
    }

    /// `duration` on a quiet machine, scaled.
    public static func scaled(_ duration: Duration) -> Duration {
        duration * scale
    }

    /// Whole minutes for Swift Testing's `.timeLimit(.minutes(…))`: `minutes`, scaled,
    /// rounded up.
    public static func minutes(_ minutes: Double) -> Int {
        Int((minutes * scale).rounded(.up))
    }
}
