import Baton
import Kafka
import Synchronization

/// A ``RecordSink`` that acknowledges every record at once and keeps them in order; it
/// can be told to refuse the next sends with an error.
final class RecordingSink: RecordSink {
    private let state = Mutex<(records: [OutgoingRecord], refusals: [KafkaError])>(([], []))
    private let stalled = Mutex<Duration?>(nil)

    /// What ``oldestUnacknowledgedAge`` reports: set it to play a broker that stopped
    /// acknowledging (the sends themselves still succeed).
    var unacknowledgedAge: Duration? {
        get { stalled.withLock { $0 } }
        set { stalled.withLock { $0 = newValue } }
    }

    var oldestUnacknowledgedAge: Duration? { unacknowledgedAge }

    var records: [OutgoingRecord] { state.withLock { $0.records } }

    /// The next `send`s throw these, in order, instead of acknowledging.
    func refuseNext(_ errors: [KafkaError]) {
        state.withLock { $0.refusals += errors }
    }

    func send(_ record: OutgoingRecord) async throws {
        try state.withLock { state in
            if !state.refusals.isEmpty { throw state.refusals.removeFirst() }
            state.records.append(record)
        }
    }

    func records(on topic: String) -> [OutgoingRecord] {
        records.filter { $0.topic == topic }
    }
}

extension OutgoingRecord {
    /// The last header named `name`, as text.
    func header(_ name: String) -> String? {
        headers.last { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}
