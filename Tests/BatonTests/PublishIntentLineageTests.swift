import Baton
import Foundation
import Kafka
import Testing

/// A slice at stage `publish` produces a publish intent of its job (one slice further)
/// before it calls `publishData`, then hands the job on one slice further still. The
/// worker fetches its own intent while the slice runs: the intent must neither cut the
/// slice off as a newer copy, nor run once the slice handed on, nor be lost when the
/// slice's hand-off fails.
@Suite("Slice dispatcher: a slice's own publish intent")
struct PublishIntentLineageTests {
    typealias State = SliceDispatcherState
    let p0 = TopicPartition(topic: "baton.jobs", partition: 0)
    let now = Date(timeIntervalSince1970: 1_000_000)

    /// Job `j` (4 slices run) at offset 20 runs; its slice announces an intent with 5
    /// slices, which is fetched at offset 21 while the slice still runs.
    func intentFetchedWhileRunning() throws -> (State, slice: State.Ticket, intent: State.Ticket) {
        var state = State(concurrency: 4)
        _ = state.assigned([p0])
        let (running, started) = state.admit(partition: p0, offset: 20, job: State.JobRef(key: "j", slices: 4), notBefore: nil, now: now)
        let slice = try #require(running)
        #expect(started.contains(.start(slice)))
        state.publishIntent(slice, slices: 5)
        let (fetched, actions) = state.admit(
            partition: p0, offset: 21, job: State.JobRef(key: "j", slices: 5), notBefore: nil, now: now, timestamp: now, producedHere: true)
        let intent = try #require(fetched)
        #expect(actions.isEmpty, "the intent waits for the slice that produced it: neither started nor superseding it: \(actions)")
        return (state, slice, intent)
    }

    @Test("the intent fetched while its slice runs is skipped once the slice hands on, and its offset is committed")
    func skippedAfterContinuation() throws {
        var (state, slice, intent) = try intentFetchedWhileRunning()
        let actions = state.sliceEnded(slice, .handedOn)
        #expect(actions.contains(.skip(intent, newest: 6)), "the continuation (6 slices) follows the intent: \(actions)")
        #expect(state.pendingCommits() == [p0: 22], "both offsets done")
        let (continuation, continued) = state.admit(partition: p0, offset: 22, job: State.JobRef(key: "j", slices: 6), notBefore: nil, now: now)
        #expect(continued.contains(.start(try #require(continuation))), "the continuation with the token runs")
    }

    @Test("the intent runs when the slice that produced it fails to hand the job on")
    func runsAfterFailedHandOff() throws {
        var (state, slice, intent) = try intentFetchedWhileRunning()
        let actions = state.sliceEnded(slice, .abandoned)
        #expect(actions.contains(.start(intent)), "the intent carries the job on: \(actions)")
        _ = state.sliceEnded(intent, .handedOn)
        #expect((state.pendingCommits()[p0] ?? 20) == 20, "the abandoned original (offset 20) still holds the watermark")
    }

    @Test("an intent fetched only after its slice handed on is skipped as stale")
    func fetchedAfterHandOff() throws {
        var state = State(concurrency: 4)
        _ = state.assigned([p0])
        let slice = try #require(state.admit(partition: p0, offset: 20, job: State.JobRef(key: "j", slices: 4), notBefore: nil, now: now).0)
        state.publishIntent(slice, slices: 5)
        _ = state.sliceEnded(slice, .handedOn)
        let (fetched, actions) = state.admit(partition: p0, offset: 21, job: State.JobRef(key: "j", slices: 5), notBefore: nil, now: now)
        #expect(actions.contains(.skip(try #require(fetched), newest: 6)), "\(actions)")
    }

    @Test("after a failed hand-off, a redelivery of the original (before the intent) is not run ahead of the intent")
    func redeliveryAfterFailedHandOff() throws {
        var state = State(concurrency: 4)
        _ = state.assigned([p0])
        let slice = try #require(state.admit(partition: p0, offset: 20, job: State.JobRef(key: "j", slices: 4), notBefore: nil, now: now).0)
        state.publishIntent(slice, slices: 5)
        _ = state.sliceEnded(slice, .abandoned)
        // The partition moves and comes back: its backlog (original, then intent) is read first.
        _ = state.lost([p0])
        _ = state.assigned([p0], now: now, readingBacklog: true)
        let original = try #require(state.admit(partition: p0, offset: 20, job: State.JobRef(key: "j", slices: 4), notBefore: nil, now: now).0)
        let (fetched, actions) = state.admit(partition: p0, offset: 21, job: State.JobRef(key: "j", slices: 5), notBefore: nil, now: now)
        let intent = try #require(fetched)
        #expect(actions.contains(.skip(original, newest: 5)), "the original is stale: the intent follows it: \(actions)")
        #expect(state.caughtUp(p0).contains(.start(intent)))
    }

    @Test("a newer copy than the slice's own intent still cuts the slice off")
    func newerThanIntentSupersedes() throws {
        var (state, slice, _) = try intentFetchedWhileRunning()
        let (_, actions) = state.admit(partition: p0, offset: 22, job: State.JobRef(key: "j", slices: 6), notBefore: nil, now: now)
        #expect(actions.contains(.supersede(slice)), "\(actions)")
    }
}
