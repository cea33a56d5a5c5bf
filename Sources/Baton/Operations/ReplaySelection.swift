import Foundation
import Kafka

/// Which records of the source topic a replay copies. Everything here is decided from a
/// record's partition, offset, timestamp, key and headers: selecting never decodes a body.
public struct ReplaySelection: Sendable, Hashable {
    /// Records whose timestamp is at or after this time (offsets-for-times gives the start
    /// as a hint; each record's own timestamp decides).
    public var since: Date?
    /// Records whose timestamp is at or before this time.
    public var until: Date?
    /// Only these partitions of the source topic (nil: all).
    public var partitions: Set<Int32>?
    /// First offset to copy (inclusive); needs exactly one partition.
    public var fromOffset: Int64?
    /// Last offset to copy (inclusive); needs exactly one partition.
    public var toOffset: Int64?
    /// Only records whose key is one of these job ids.
    public var jobIds: Set<String>
    /// Only records whose key starts with this text.
    public var keyPrefix: String?
    /// Only records whose `baton-error-kind` header is one of these (dead letters).
    public var errorKinds: Set<String>
    /// The operator asked for every record of the topic on purpose.
    public var all: Bool

    public init(
        since: Date? = nil, until: Date? = nil, partitions: Set<Int32>? = nil, fromOffset: Int64? = nil, toOffset: Int64? = nil,
        jobIds: Set<String> = [], keyPrefix: String? = nil, errorKinds: Set<String> = [], all: Bool = false
    ) {
        self.since = since
        self.until = until
        self.partitions = partitions
        self.fromOffset = fromOffset
        self.toOffset = toOffset
        self.jobIds = jobIds
        self.keyPrefix = keyPrefix
        self.errorKinds = errorKinds
        self.all = all
    }

    /// True when something limits the replay (a partition alone does not).
    public var isBounded: Bool {
        all || since != nil || until != nil || fromOffset != nil || toOffset != nil || !jobIds.isEmpty || keyPrefix != nil
            || !errorKinds.isEmpty
    }

    /// - Throws: ``ReplayError`` when the selection contradicts itself or is unbounded
    ///   (`resuming` counts as a bound).
    public func validate(resuming: Bool) throws {
        guard isBounded || resuming else { throw ReplayError.unbounded }
        if fromOffset != nil || toOffset != nil, partitions?.count != 1 {
            throw ReplayError.invalidSelection("--from-offset/--to-offset need exactly one --partition")
        }
        if let fromOffset, let toOffset, fromOffset > toOffset {
            throw ReplayError.invalidSelection("--from-offset \(fromOffset) is after --to-offset \(toOffset)")
        }
        if let since, let until, since > until {
            throw ReplayError.invalidSelection("--since is after --until")
        }
    }

    /// Whether the record is selected.
    public func matches(_ message: KafkaMessage) -> Bool {
        if let fromOffset, message.offset < fromOffset { return false }
        if let toOffset, message.offset > toOffset { return false }
        if since != nil || until != nil {
            guard let timestamp = message.timestamp else { return false }
            if let since, timestamp < since { return false }
            if let until, timestamp > until { return false }
        }
        if !jobIds.isEmpty || keyPrefix != nil {
            guard let key = message.key else { return false }
            if let keyPrefix, !key.starts(with: keyPrefix.utf8) { return false }
            if !jobIds.isEmpty, !jobIds.contains(String(decoding: key, as: UTF8.self)) { return false }
        }
        if !errorKinds.isEmpty {
            guard let kind = message.header(JobHeaders.errorKind) else { return false }
            if !errorKinds.contains(String(decoding: kind, as: UTF8.self)) { return false }
        }
        return true
    }

    /// True once no later offset of the partition can be selected.
    func isPastEnd(_ message: KafkaMessage) -> Bool {
        if let toOffset { return message.offset >= toOffset }
        return false
    }
}
