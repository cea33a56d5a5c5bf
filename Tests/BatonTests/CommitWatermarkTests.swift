import Baton
import Testing

@Suite("Commit watermark and back-off")
struct CommitWatermarkTests {
    @Test("out-of-order completion commits only below the lowest offset still in flight")
    func outOfOrder() {
        var watermark = CommitWatermark<Int>()
        for offset in 10...14 { watermark.started(0, offset: Int64(offset)) }
        watermark.finished(0, offset: 12)
        watermark.finished(0, offset: 14)
        #expect(watermark.committable(0) == 10, "10 and 11 are still running")
        watermark.finished(0, offset: 10)
        #expect(watermark.committable(0) == 11)
        watermark.finished(0, offset: 11)
        #expect(watermark.committable(0) == 13)
        watermark.finished(0, offset: 13)
        #expect(watermark.committable(0) == 15)
    }

    @Test("pending commits are reported once and per partition")
    func pending() {
        var watermark = CommitWatermark<Int>()
        watermark.started(0, offset: 0)
        watermark.started(1, offset: 7)
        watermark.finished(0, offset: 0)
        #expect(watermark.pendingCommits() == [0: 1])
        watermark.committed([0: 1])
        #expect(watermark.pendingCommits().isEmpty)
        watermark.finished(1, offset: 7)
        #expect(watermark.pendingCommits() == [1: 8])
        watermark.remove([1])
        #expect(watermark.pendingCommits().isEmpty)
        #expect(watermark.totalInFlight == 0)
    }

    @Test("gaps in offsets (control records) do not stall the watermark")
    func gaps() {
        var watermark = CommitWatermark<Int>()
        watermark.started(0, offset: 10)
        watermark.started(0, offset: 12)
        watermark.finished(0, offset: 12)
        #expect(watermark.committable(0) == 10)
        watermark.finished(0, offset: 10)
        #expect(watermark.committable(0) == 13)
    }

    @Test("back-off doubles, is capped, and jitters within the upper half")
    func backoff() {
        let backoff = Backoff(initial: .seconds(5), maximum: .seconds(60))
        #expect(backoff.delay(afterFailures: 1, random: 1) == .seconds(5))
        #expect(backoff.delay(afterFailures: 1, random: 0) == .milliseconds(2500))
        #expect(backoff.delay(afterFailures: 3, random: 1) == .seconds(20))
        #expect(backoff.delay(afterFailures: 10, random: 1) == .seconds(60))
        #expect(backoff.delay(afterFailures: 1000, random: 0.5) == .seconds(45))
    }
}

@Suite("Commit watermark, many offsets")
struct CommitWatermarkManyOffsetsTests {
    @Test("thousands of offsets finished in a scrambled order: the committable offset is always the lowest not done")
    func scrambled() {
        var watermark = CommitWatermark<Int>()
        let offsets = Array(Int64(0)..<2_000)
        for offset in offsets { watermark.started(0, offset: offset) }
        var generator = SplitMix(seed: 10)
        var finished = [Bool](repeating: false, count: offsets.count)
        var lowestNotDone = 0
        for offset in offsets.shuffled(using: &generator) {
            watermark.finished(0, offset: offset)
            finished[Int(offset)] = true
            while lowestNotDone < finished.count, finished[lowestNotDone] { lowestNotDone += 1 }
            // Every offset was started, so the lowest not done is the committable one.
            let expected = Int64(lowestNotDone)
            if watermark.committable(0) != expected {
                Issue.record("after finishing \(offset): \(String(describing: watermark.committable(0))), expected \(expected)")
                return
            }
        }
        #expect(watermark.committable(0) == 2_000)
    }
}
