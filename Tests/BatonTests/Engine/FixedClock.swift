import Baton
import Foundation
import Synchronization

/// A ``WallClock`` that shows what the test sets, and moves only when told.
final class FixedClock: WallClock {
    private let current: Mutex<Date>

    init(_ now: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(now)
    }

    var now: Date { current.withLock { $0 } }

    func advance(_ duration: Duration) {
        current.withLock { $0.addTimeInterval(duration.seconds) }
    }
}
