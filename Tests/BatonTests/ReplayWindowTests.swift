@testable import Baton
import Foundation
import Kafka
import Testing

/// `ReplayWindow` and `ReplayBatch`: a batch's bookkeeping is applied in reading order, so a
/// partition's position never passes a copy that is not acknowledged.
@Suite("Replay: the window of copies in flight, without a broker")
struct ReplayWindowTests {
    static func message(_ partition: Int32, _ offset: Int64) -> KafkaMessage {
        KafkaMessage(topic: "dlq", partition: partition, offset: offset, key: Array("k".utf8), value: [1])
    }

    static let report = DeliveryReport(topic: "jobs", partition: 0, offset: 0)

    @Test("records handled at once behind a copy in flight wait for it; acknowledged, the position passes them all")
    func positionsWaitForCopies() {
        let window = ReplayWindow(ReplayAcknowledgements(topic: "dlq", resume: ReplayPositions()))
        var batch = ReplayBatch()
        batch.skip(Self.message(0, 4))
        batch.copy(ProducerRecord(topic: "jobs", key: nil, value: [1]), of: Self.message(0, 5))
        batch.skip(Self.message(0, 6))
        batch.skip(Self.message(1, 9))
        #expect(window.begin(batch) == 1, "one copy in flight")
        let before = window.state.withLock { $0.acknowledgements.positions.offsets }
        #expect(before == [TopicPartition(topic: "dlq", partition: 0): 4, TopicPartition(topic: "dlq", partition: 1): 9])
        window.delivered(batch.sources, from: 0, [.success(Self.report)])
        let after = window.state.withLock { $0 }
        #expect(after.acknowledgements.positions.offsets[TopicPartition(topic: "dlq", partition: 0)] == 6)
        #expect(after.inFlight == 0 && after.copied == 1 && after.failure == nil)
    }

    @Test("a failed copy holds its partition's position and is reported with its source")
    func failureHoldsThePosition() {
        let window = ReplayWindow(ReplayAcknowledgements(topic: "dlq", resume: ReplayPositions()))
        var batch = ReplayBatch()
        batch.copy(ProducerRecord(topic: "jobs", key: nil, value: [1]), of: Self.message(2, 10))
        batch.copy(ProducerRecord(topic: "jobs", key: nil, value: [2]), of: Self.message(2, 11))
        window.begin(batch)
        let error = KafkaError(name: "_MSG_TIMED_OUT", message: "timed out", code: -192)
        window.delivered(batch.sources, from: 0, [.failure(error), .success(Self.report)])
        let state = window.state.withLock { $0 }
        #expect(state.acknowledgements.positions.offsets[TopicPartition(topic: "dlq", partition: 2)] == nil)
        #expect(state.failure?.hasPrefix("dlq/2/10: ") == true)
        #expect(state.inFlight == 0 && state.copied == 1)
        #expect(state.copiedPerPartition == [2: 1], "only acknowledged copies count")
        #expect(state.unconfirmed == 1, "a failed delivery report is an unknown outcome")
        #expect(window.failed)

        // Copies the producer refused were never sent: a failure, not an unknown outcome.
        var refused = ReplayBatch()
        refused.copy(ProducerRecord(topic: "jobs", key: nil, value: [3]), of: Self.message(2, 12))
        window.begin(refused)
        window.delivered(refused.sources, from: 0, [.failure(error)], refused: true)
        #expect(window.state.withLock { $0.unconfirmed } == 1)
    }

    @Test("header values as bytes read and write like Int's own text")
    func decimalBytes() {
        for value in [0, 7, 10, 123, -5, Int(Int32.max)] {
            #expect(DecimalBytes.of(value) == Array(String(value).utf8))
        }
        var bytes = Array("t/".utf8)
        DecimalBytes.append(-9_223_372_036_854_775_808, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "t/-9223372036854775808")
        for text in ["12", "+3", "-4", "0", "", "-", "1a", " 1", "99999999999999999999"] {
            #expect(DecimalBytes.parse(Array(text.utf8)) == Int(text), "\(text)")
        }
    }
}
