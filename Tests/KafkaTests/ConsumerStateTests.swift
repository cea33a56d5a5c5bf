import Testing

@testable import Kafka

/// The consumer's buffering, pause and rebalance rules, without a broker.
@Suite struct ConsumerStateTests {
    let p0 = TopicPartition(topic: "t", partition: 0)
    let p1 = TopicPartition(topic: "t", partition: 1)

    func message(_ tp: TopicPartition, _ offset: Int64, bytes: Int = 1) -> KafkaMessage {
        KafkaMessage(topic: tp.topic, partition: tp.partition, offset: offset, key: nil, value: Array(repeating: 0, count: bytes))
    }

    func state(high: Int = 3, low: Int = 1, highBytes: Int = 1 << 20) -> ConsumerState {
        var state = ConsumerState(
            options: KafkaConsumerOptions(highWaterMessages: high, highWaterBytes: highBytes, lowWaterMessages: low))
        state.assign([p0, p1], replacing: true)
        return state
    }

    @Test func messagesOfUnassignedPartitionsAreDropped() {
        var s = state()
        guard case .dropped = s.receive(message(TopicPartition(topic: "other", partition: 0), 0)) else {
            Issue.record("expected drop")
            return
        }
        let none = s.popDeliverable()
        #expect(none == nil)
    }

    @Test func deliversInArrivalOrderAndPartitionOrder() {
        var s = state(high: 100, low: 10)
        for (tp, offset) in [(p0, 0), (p1, 0), (p0, 1), (p1, 1)] as [(TopicPartition, Int64)] {
            _ = s.receive(message(tp, offset))
        }
        let order = (0..<4).compactMap { _ in s.popDeliverable() }.map { "\($0.partition):\($0.offset)" }
        #expect(order == ["0:0", "1:0", "0:1", "1:1"])
    }

    @Test func highWaterPausesAndLowWaterResumes() {
        var s = state(high: 3, low: 1)
        for offset in 0..<3 { _ = s.receive(message(p0, Int64(offset))) }
        #expect(s.flowPaused == [p0])
        #expect(s.needsReconcile)
        let first = s.reconcile()
        #expect(first.pause == [p0] && first.resume.isEmpty)
        _ = s.popDeliverable()  // 2 left: still above low water
        #expect(s.flowPaused == [p0])
        _ = s.popDeliverable()  // 1 left: at low water
        #expect(s.flowPaused.isEmpty)
        let second = s.reconcile()
        #expect(second.pause.isEmpty && second.resume == [p0])
    }

    @Test func byteHighWaterPausesToo() {
        var s = state(high: 1000, low: 500, highBytes: 100)
        _ = s.receive(message(p0, 0, bytes: 60))
        #expect(s.flowPaused.isEmpty)
        _ = s.receive(message(p0, 1, bytes: 60))
        #expect(s.flowPaused == [p0])
    }

    @Test func userPauseHoldsBackAndResumeReleases() {
        var s = state(high: 100, low: 10)
        _ = s.receive(message(p0, 0))
        _ = s.receive(message(p1, 0))
        let paused = s.pause([p0])
        #expect(paused)
        let reconciled = s.reconcile()
        #expect(reconciled.pause == [p0])
        let next = s.popDeliverable()
        #expect(next?.topicPartition == p1)
        let none = s.popDeliverable()
        #expect(none == nil)
        let resumed = s.resume([p0])
        #expect(resumed.changed && resumed.deliveries.isEmpty)
        let afterResume = s.reconcile()
        #expect(afterResume.resume == [p0])
        let released = s.popDeliverable()
        #expect(released?.topicPartition == p0)
    }

    @Test func userPauseKeepsLibraryPausedAfterDrain() {
        var s = state(high: 2, low: 0)
        _ = s.receive(message(p0, 0))
        _ = s.receive(message(p0, 1))
        _ = s.pause([p0])
        let pausing = s.reconcile()
        #expect(pausing.pause == [p0])
        _ = s.resume([p0])
        _ = s.popDeliverable()
        _ = s.popDeliverable()
        // Drained below low water and not paused by the user: fetching resumes.
        let resuming = s.reconcile()
        #expect(resuming.resume == [p0])
        #expect(s.libraryPaused.isEmpty)
    }

    @Test func pausingAnUnassignedPartitionIsIgnored() {
        var s = state()
        let changed = s.pause([TopicPartition(topic: "other", partition: 3)])
        #expect(!changed)
        #expect(s.userPaused.isEmpty)
    }

    @Test func revokeDropsBuffersAndReportsLibraryPauses() {
        var s = state(high: 100, low: 10)
        _ = s.receive(message(p0, 0))
        _ = s.receive(message(p1, 0))
        _ = s.pause([p0])
        _ = s.reconcile()
        let stillPaused = s.revoke([p0])
        #expect(stillPaused == [p0])
        #expect(s.assigned == [p1])
        #expect(s.userPaused.isEmpty)
        #expect(s.bufferedCount(p0) == 0)
        let remaining = s.popDeliverable()
        #expect(remaining?.topicPartition == p1)
        guard case .dropped = s.receive(message(p0, 1)) else {
            Issue.record("a revoked partition's message must be dropped")
            return
        }
    }

    @Test func eagerAssignReplacesCooperativeAdds() {
        var s = state()
        let p2 = TopicPartition(topic: "t", partition: 2)
        s.assign([p2], replacing: false)
        #expect(s.assigned == [p0, p1, p2])
        s.assign([p2], replacing: true)
        #expect(s.assigned == [p2])
    }

    @Test func endOfPartitionWaitsForTheBufferToDrain() {
        var s = state(high: 100, low: 10)
        _ = s.receive(message(p0, 0))
        _ = s.receiveEndOfPartition(p0, offset: 1)
        let messageOnly = s.popEvent(wantsEvents: false)
        #expect(messageOnly == .message(message(p0, 0)))
        let none = s.popEvent(wantsEvents: false)
        #expect(none == nil, "next() never sees end-of-partition")
        let end = s.popEvent(wantsEvents: true)
        #expect(end == .endOfPartition(p0, offset: 1))
        let once = s.popEvent(wantsEvents: true)
        #expect(once == nil, "reported once")
    }

    @Test func aNewMessageCancelsEndOfPartition() {
        var s = state(high: 100, low: 10)
        _ = s.receiveEndOfPartition(p1, offset: 5)
        _ = s.receive(message(p1, 5))
        let first = s.popEvent(wantsEvents: true)
        #expect(first == .message(message(p1, 5)))
        let none = s.popEvent(wantsEvents: true)
        #expect(none == nil)
    }

    @Test func pausedPartitionHoldsBackItsEnd() {
        var s = state(high: 100, low: 10)
        _ = s.pause([p0])
        _ = s.receiveEndOfPartition(p0, offset: 0)
        let held = s.popEvent(wantsEvents: true)
        #expect(held == nil)
        _ = s.resume([p0])
        let released = s.popEvent(wantsEvents: true)
        #expect(released == .endOfPartition(p0, offset: 0))
    }

    @Test func closeEndsDelivery() {
        var s = state()
        _ = s.receive(message(p0, 0))
        let first = s.close().first
        let second = s.close().first
        #expect(first && !second)
        guard case .dropped = s.receive(message(p0, 1)) else {
            Issue.record("closing consumer must not buffer")
            return
        }
    }

    @Test func aBatchTakesUpToItsMaxInArrivalOrderThenEnds() {
        var s = state(high: 100, low: 10)
        for (tp, offset) in [(p0, 0), (p1, 0), (p0, 1), (p1, 1), (p0, 2)] as [(TopicPartition, Int64)] {
            _ = s.receive(message(tp, offset))
        }
        _ = s.receiveEndOfPartition(p1, offset: 2)
        let first = s.popBatch(max: 3)
        #expect(first.map(describe) == ["0:0", "1:0", "0:1"])
        let rest = s.popBatch(max: 10)
        #expect(rest.map(describe) == ["1:1", "0:2", "end 1@2"], "the end of p1 after its records")
        #expect(s.popBatch(max: 10).isEmpty)
    }

    @Test func aBatchLeavesPausedPartitionsAndTheirEndsBehind() {
        var s = state(high: 100, low: 10)
        _ = s.receive(message(p0, 0))
        _ = s.receive(message(p1, 0))
        _ = s.receiveEndOfPartition(p0, offset: 1)
        _ = s.pause([p0])
        #expect(s.popBatch(max: 10).map(describe) == ["1:0"])
        _ = s.resume([p0])
        #expect(s.popBatch(max: 10).map(describe) == ["0:0", "end 0@1"])
    }

    func describe(_ event: KafkaConsumerEvent) -> String {
        switch event {
        case .message(let m): "\(m.partition):\(m.offset)"
        case .endOfPartition(let tp, let offset): "end \(tp.partition)@\(offset)"
        }
    }
}

@Suite struct ValueTypeTests {
    @Test func topicPartitionOrderAndDescription() {
        let a = TopicPartition(topic: "a", partition: 2)
        let b = TopicPartition(topic: "b", partition: 0)
        #expect(a < b)
        #expect(TopicPartition(topic: "a", partition: 1) < a)
        #expect(a.description == "a/2")
    }

    @Test func lastHeaderWins() {
        let message = KafkaMessage(
            topic: "t", partition: 0, offset: 0, key: nil, value: [],
            headers: [KafkaHeader(name: "h", string: "1"), KafkaHeader(name: "h", string: "2"), KafkaHeader(name: "n", value: nil)])
        #expect(message.header("h") == Array("2".utf8))
        #expect(message.header("n") == nil)
        #expect(message.header("missing") == nil)
    }

    @Test func durationMilliseconds() {
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.seconds(-1).milliseconds == 0)
        #expect(Duration.seconds(Int64.max / 2).milliseconds == Int32.max)
    }
}
