import Foundation
import Kafka

/// Decides where a job stands (`baton jobs`) from its newest envelope on the jobs topic,
/// the outcomes recorded for it, and the offset the workers' group committed on the
/// envelope's partition.
///
/// A worker commits a message only once what its slice produced (a continuation, a dead
/// letter, an outcome) was acknowledged, and never past a message whose job still waits
/// out a `notBefore` (DESIGN.md §4). So when the group has committed past the newest
/// envelope, its last slice ended without handing the job on: the job is finished. That
/// covers a notify retry that later succeeded or was given up (`notify.maxAttempts`):
/// neither writes anything more, and the retry envelope stays the newest record for good.
///
/// The commit follows the slice's end by a moment, so an outcome also finishes the job at
/// once: one whose `baton-source` names the newest envelope or a later message of its
/// partition (exact; a notify retry's outcome names the message before it, a replayed
/// job's old outcome the record it was copied from). An outcome without that header (from
/// an older worker, or `unrouted` from `baton publish`), or naming another partition,
/// counts when its timestamp is not older than the envelope's.
///
/// With nothing committed on the partition (a group that never ran, or another
/// `kafka.groupId`) only outcomes count.
struct InFlightRule: Sendable {
    /// Where a record is; `timestamp` is its broker timestamp.
    struct Position: Sendable, Hashable {
        var partition: Int32
        var offset: Int64
        var timestamp: Date?
    }

    /// What `baton jobs` needs of an outcome record.
    struct OutcomeMark: Sendable, Hashable {
        /// The message whose run produced it (`baton-source`), nil without the header.
        var source: RecordPosition?
        var timestamp: Date?
    }

    /// The jobs topic's name: a `baton-source` on another topic says nothing about offsets.
    var jobsTopic: String

    /// - Parameters:
    ///   - newest: the job's newest envelope on the jobs topic.
    ///   - outcomeAwaitsNotifications: the envelope is a notify retry (stage `notify`, its
    ///     outcome recorded).
    ///   - outcomes: every outcome recorded for the job.
    ///   - committed: the group's committed offset on the envelope's partition (the next
    ///     offset it would read), nil when it has committed nothing there.
    func state(newest: Position, outcomeAwaitsNotifications: Bool, outcomes: [OutcomeMark], committed: Int64?) -> JobState {
        if let committed, committed > newest.offset { return .finished }
        if outcomes.contains(where: { covers($0, newest) }) { return .finished }
        return outcomeAwaitsNotifications ? .notificationsPending : .inProgress
    }

    private func covers(_ outcome: OutcomeMark, _ envelope: Position) -> Bool {
        if let source = outcome.source, source.topic == jobsTopic, source.partition == envelope.partition {
            return source.offset >= envelope.offset
        }
        return (outcome.timestamp ?? .distantFuture) >= (envelope.timestamp ?? .distantPast)
    }
}

extension InFlightRule.Position {
    init(_ message: KafkaMessage) {
        self.init(partition: message.partition, offset: message.offset, timestamp: message.timestamp)
    }
}

extension JobHistoryEntry {
    var position: InFlightRule.Position { InFlightRule.Position(partition: partition, offset: offset, timestamp: timestamp) }
}
