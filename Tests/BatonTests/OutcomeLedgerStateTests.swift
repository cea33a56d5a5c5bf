@testable import Baton
import Foundation
import Kafka
import Testing

@Suite("OutcomeLedgerState: what the ledger holds and where it reads next")
struct OutcomeLedgerStateTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("nothing read yet: the first question starts from a time look-up, the message's write time less the skew")
    func firstRead() {
        let state = OutcomeLedgerState(skew: 300, window: 1800)
        #expect(state.needed(forMessageWrittenAt: t0) == t0.addingTimeInterval(-300))
        #expect(state.needed(forMessageWrittenAt: nil) == .distantPast)
        #expect(state.mustRestart(from: t0))
    }

    @Test("later questions resume where the read stopped, unless they need older records than the floor")
    func resumeOrRestart() {
        var state = OutcomeLedgerState(skew: 300, window: 1800)
        let outcomes = TopicPartition(topic: "baton.outcomes", partition: 0)
        state.restarted(floor: t0, positions: [outcomes: 5])
        state.read(topic: "baton.outcomes", partition: 0, offset: 5, source: "baton.jobs/1/9", timestamp: t0.addingTimeInterval(1))
        state.read(topic: "baton.outcomes", partition: 0, offset: 6, source: nil, timestamp: t0.addingTimeInterval(2))
        #expect(state.positions == [outcomes: 7], "a record without a source still moves the position")
        #expect(state.count == 1)
        #expect(!state.mustRestart(from: t0))
        #expect(!state.mustRestart(from: t0.addingTimeInterval(60)))
        #expect(state.mustRestart(from: t0.addingTimeInterval(-1)))
    }

    @Test("a record names its source on its own topic only; another message of the same job does not match")
    func matchesBySource() {
        var state = OutcomeLedgerState(skew: 300, window: 1800)
        state.restarted(floor: t0, positions: [:])
        state.read(topic: "baton.jobs.dlq", partition: 1, offset: 0, source: "baton.jobs/1/9", timestamp: t0)
        #expect(state.contains(topic: "baton.jobs.dlq", source: "baton.jobs/1/9"))
        #expect(!state.contains(topic: "baton.outcomes", source: "baton.jobs/1/9"))
        #expect(!state.contains(topic: "baton.jobs.dlq", source: "baton.jobs/1/10"))
    }

    @Test("records older than the window are forgotten and the floor rises with them")
    func window() {
        var state = OutcomeLedgerState(skew: 300, window: 1800)
        state.restarted(floor: t0, positions: [:])
        state.read(topic: "baton.outcomes", partition: 0, offset: 0, source: "old", timestamp: t0)
        state.read(topic: "baton.outcomes", partition: 0, offset: 1, source: "new", timestamp: t0.addingTimeInterval(1700))
        state.readToEnd(now: t0.addingTimeInterval(1000))
        #expect(state.count == 2 && state.floor == t0)
        state.readToEnd(now: t0.addingTimeInterval(2000))
        #expect(state.count == 1)
        #expect(!state.contains(topic: "baton.outcomes", source: "old"))
        #expect(state.floor == t0.addingTimeInterval(200))
        #expect(state.mustRestart(from: t0), "a question about an older message reads again")
    }

    @Test("a read that found a topic missing keeps no floor: the next question looks again")
    func missingTopic() {
        var state = OutcomeLedgerState(skew: 300, window: 1800)
        state.restarted(floor: nil, positions: [:])
        #expect(state.mustRestart(from: t0.addingTimeInterval(1_000_000)))
    }

    @Test("a question is answered by reported ends at or past the look-up's offsets; a partition with no records needs none")
    func readEnds() {
        var state = OutcomeLedgerState(skew: 300, window: 1800)
        let p0 = TopicPartition(topic: "baton.outcomes", partition: 0), p1 = TopicPartition(topic: "baton.outcomes", partition: 1)
        state.restarted(floor: t0, positions: [p0: 0, p1: 0])
        #expect(state.hasRead(to: [p0: 0, p1: 0]), "empty partitions")
        #expect(!state.hasRead(to: [p0: 1, p1: 0]), "no end reported yet")
        state.read(topic: "baton.outcomes", partition: 0, offset: 0, source: "baton.jobs/0/1", timestamp: t0)
        state.read(topic: "baton.outcomes", partition: 0, offset: 1, source: "baton.jobs/0/2", timestamp: t0)
        #expect(!state.hasRead(to: [p0: 1]), "a position past the look-up is not an end: on Tansu it may lie inside the last batch")
        state.reachedEnd(p0, at: 2)
        #expect(state.hasRead(to: [p0: 1, p1: 0]) && state.hasRead(to: [p0: 2]))
        #expect(!state.hasRead(to: [p0: 3]), "a batch written after the end")
        #expect(state.positions[p0] == 2)
        state.reachedEnd(p0, at: 1)
        #expect(state.hasRead(to: [p0: 2]), "ends only move forward")
        state.restarted(floor: t0, positions: [p0: 0])
        #expect(!state.hasRead(to: [p0: 2]), "starting over forgets the ends")
    }
}
