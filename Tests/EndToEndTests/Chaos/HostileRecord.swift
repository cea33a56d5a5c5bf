import Baton
import Kafka

/// A record put on the jobs topic as it was (key and value), to find it again on the
/// dead-letter topic untouched.
struct HostileRecord: Sendable, Hashable {
    var key: [UInt8]?
    var value: [UInt8]

    init(key: [UInt8]?, value: [UInt8]) {
        self.key = key
        self.value = value
    }

    init(_ message: KafkaMessage) {
        self.init(key: message.key, value: message.value)
    }

    /// Whether `letter` on the dead-letter topic is this record: untouched, or cut down
    /// (`baton-truncated`, for a record the broker would not take whole) to a prefix of it.
    func isDeadLettered(as letter: KafkaMessage) -> Bool {
        if letter.key == key && letter.value == value { return true }
        guard letter.header(JobHeaders.truncated) != nil else { return false }
        return (key ?? []).starts(with: letter.key ?? []) && value.starts(with: letter.value)
    }

    /// The records of `records` found among `letters`.
    static func found(_ records: [HostileRecord], among letters: [KafkaMessage]) -> Int {
        let untouched = Set(letters.map(HostileRecord.init))
        let truncated = letters.filter { $0.header(JobHeaders.truncated) != nil }
        return records.count { record in untouched.contains(record) || truncated.contains { record.isDeadLettered(as: $0) } }
    }
}
