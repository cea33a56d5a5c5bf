import Foundation
import Kafka

extension SliceDispatcherState {
    enum Phase: Sendable, Equatable {
        case queued
        case waiting
        case running
        /// Another copy of the same job (the ticket) is running here, or was cut off and
        /// has not ended yet: this one waits for it, then is decided again.
        case deferred(behind: Ticket)
    }

    struct Entry: Sendable {
        var partition: TopicPartition
        var offset: Int64
        var job: JobRef?
        var notBefore: Date?
        var phase: Phase
        /// The partition's epoch when admitted: a slice of an earlier epoch (its
        /// partition lost or released meanwhile) no longer moves the watermark.
        var epoch: Int
        /// See ``isPossibleRedelivery(_:)``.
        var possibleRedelivery: Bool
        /// A newer copy of its job arrived in the same partition while it ran: it was cut
        /// off, and its offset counts as done however it ends (the newer copy, later in
        /// the partition, carries the job and holds the watermark itself).
        var superseded = false
        /// The `slices` of the publish intent its slice produced (or is producing): that
        /// record is this slice's own, not a newer copy, and what the slice hands on after
        /// it carries one more.
        var intentSlices: Int?
    }

    /// The admitted messages by ticket, with the counts the dispatcher needs on every
    /// event kept as they change, so no event scans them all: with one scan per event, a
    /// worker holding 20,000 jobs spent seconds starting them and more than its shutdown
    /// grace handing them on (issue 10). Every change goes through the subscript or
    /// ``removeValue(forKey:)``, which keep the counts.
    struct Entries: Sendable {
        private var byTicket: [Ticket: Entry] = [:]
        /// Entries waiting out their `notBefore`.
        private(set) var waitingCount = 0
        /// Entries deferred behind another copy of their job.
        private(set) var deferredCount = 0
        /// Entries per partition and epoch.
        private var perPartition: [TopicPartition: [Int: Int]] = [:]

        subscript(ticket: Ticket) -> Entry? {
            get { byTicket[ticket] }
            set {
                if let old = byTicket[ticket] { count(old, by: -1) }
                if let newValue { count(newValue, by: 1) }
                byTicket[ticket] = newValue
            }
        }

        @discardableResult
        mutating func removeValue(forKey ticket: Ticket) -> Entry? {
            guard let old = byTicket.removeValue(forKey: ticket) else { return nil }
            count(old, by: -1)
            return old
        }

        var values: Dictionary<Ticket, Entry>.Values { byTicket.values }

        func filter(_ isIncluded: ((key: Ticket, value: Entry)) throws -> Bool) rethrows -> [Ticket: Entry] {
            try byTicket.filter(isIncluded)
        }

        /// Whether `partition` has entries (of `epoch` only, when given).
        func contains(partition: TopicPartition, epoch: Int?) -> Bool {
            guard let epochs = perPartition[partition] else { return false }
            if let epoch { return (epochs[epoch] ?? 0) > 0 }
            return epochs.values.contains { $0 > 0 }
        }

        private mutating func count(_ entry: Entry, by change: Int) {
            if entry.phase == .waiting { waitingCount += change }
            if case .deferred = entry.phase { deferredCount += change }
            let remaining = (perPartition[entry.partition]?[entry.epoch] ?? 0) + change
            if remaining == 0 {
                perPartition[entry.partition]?[entry.epoch] = nil
                if perPartition[entry.partition]?.isEmpty == true { perPartition[entry.partition] = nil }
            } else {
                perPartition[entry.partition, default: [:]][entry.epoch] = remaining
            }
        }
    }
}
