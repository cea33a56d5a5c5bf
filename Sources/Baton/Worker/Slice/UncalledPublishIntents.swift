import Foundation
import Synchronization

/// The publish intents this worker has sent and not (yet) followed with `publishData`,
/// by job id and the intent's `birst.publishRequestedAt`.
///
/// A job that comes back at `publish` with an intent and no token normally ends
/// `unconfirmed`: whoever runs it cannot know whether the call was made. The worker that
/// sent the intent can: a broker stall cuts its slice off while it waits for the intent's
/// acknowledgement, and the job may come back to the same worker once the group settles.
/// Each intent has one ``Claim``: the slice claims it right before it calls `publishData`,
/// a later run of the intent in this worker claims it to publish afresh, and whoever
/// claims it first is the only one to go on. Bounded: the oldest intents are forgotten
/// (their jobs then end `unconfirmed` here too, as on any other worker).
public final class UncalledPublishIntents: Sendable {
    /// The right to follow one intent with a `publishData` call, taken at most once.
    public final class Claim: Sendable {
        private let taken = Atomic<Bool>(false)

        /// True for the first caller only.
        public func take() -> Bool {
            taken.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged
        }
    }

    private struct Entries {
        var claims: [String: Claim] = [:]
        var order: [String] = []
        var head = 0
    }

    private let entries = Mutex(Entries())
    public let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// Records the intent of `jobId` stamped `requestedAt`, before it is sent; the slice
    /// keeps the claim and takes it right before its call.
    public func record(jobId: String, requestedAt: Date) -> Claim {
        let key = Self.key(jobId, requestedAt)
        let claim = Claim()
        entries.withLock { entries in
            if entries.claims.updateValue(claim, forKey: key) == nil { entries.order.append(key) }
            while entries.order.count - entries.head > capacity {
                entries.claims[entries.order[entries.head]] = nil
                entries.head += 1
            }
            if entries.head > capacity {
                entries.order.removeFirst(entries.head)
                entries.head = 0
            }
        }
        return claim
    }

    /// Claims the intent for a later run of it: true when this worker sent it and nobody
    /// has called `publishData` after it, so the caller alone may.
    public func take(jobId: String, requestedAt: Date) -> Bool {
        let key = Self.key(jobId, requestedAt)
        return entries.withLock { $0.claims.removeValue(forKey: key) }?.take() ?? false
    }

    private static func key(_ jobId: String, _ requestedAt: Date) -> String {
        "\(jobId)@\(requestedAt.timeIntervalSince1970)"
    }
}
