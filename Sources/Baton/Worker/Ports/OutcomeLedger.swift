import Foundation

/// Answers whether an earlier run of a message already produced a record: its outcome on
/// `baton.outcomes` or its dead letter on `baton.jobs.dlq`. A worker asks before it
/// produces either for a message that may have been run before (a SIGKILL between the
/// record's acknowledgement and the message's commit), so each message yields at most
/// one of each. ``TopicOutcomeLedger`` reads the topics; unit tests pass a fake.
public protocol OutcomeLedger: Sendable {
    /// Whether `topic` holds a record produced by the run of the message at `source`,
    /// reading the topic to its end after the question was asked, so a record
    /// acknowledged just before is seen.
    ///
    /// - Parameters:
    ///   - topic: the outcomes or dead-letter topic.
    ///   - source: the message's topic/partition/offset (``JobRecords/position(of:)``).
    ///   - messageWrittenAt: the message's record timestamp (nil: unknown, so the topic is
    ///     read from its beginning).
    /// - Throws: when the topic could not be read to its end (a ``Kafka/KafkaError``, or
    ///   ``JobsError/timedOut(_:)``). The caller decides; it never means "absent".
    func hasRecord(on topic: String, from source: String, messageWrittenAt: Date?) async throws -> Bool
}
