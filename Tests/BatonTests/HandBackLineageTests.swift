import Baton
import Foundation
import Kafka
import Testing

/// Found by the chaos suite (scenario 1, issue 10): a job backing off (waiting out its
/// `notBefore`) when its partition was revoked was handed back unchanged, with the same
/// `slices`, but the worker recorded it as handed on (`slices + 1`). When the partition
/// came back to the same worker, the hand-back copy was skipped as stale and committed
/// past: the job was lost, in flight for ever, with no outcome.
@Suite("Slice dispatcher: a waiting job handed back")
struct HandBackLineageTests {
    typealias State = SliceDispatcherState
    let p0 = TopicPartition(topic: "baton.jobs", partition: 0)
    let now = Date(timeIntervalSince1970: 1_000_000)

    /// Job `j` (12 slices run) waits out its `notBefore` at offset 107 when p0 is revoked; it
    /// is handed back unchanged, and p0 comes back to this worker.
    func handedBackAndReassigned() throws -> (State, State.JobRef) {
        var state = State(concurrency: 4)
        _ = state.assigned([p0])
        let job = State.JobRef(key: "j", slices: 12)
        let waiting = try #require(state.admit(partition: p0, offset: 107, job: job, notBefore: now.addingTimeInterval(60), now: now).0)
        #expect(state.revoked([p0]).contains(.stop([waiting], .rebalance)))
        #expect(state.sliceEnded(waiting, .handedBack).contains(.release([p0], offsets: [p0: 108])), "the original is done: its copy was acknowledged")
        _ = state.assigned([p0])
        return (state, job)
    }

    @Test("a job handed back while waiting out notBefore runs again when its partition returns to the same worker")
    func handedBackCopyRuns() throws {
        let (reassigned, job) = try handedBackAndReassigned()
        var state = reassigned
        let (copy, actions) = state.admit(partition: p0, offset: 109, job: job, notBefore: nil, now: now)
        let ticket = try #require(copy)
        #expect(actions.contains(.start(ticket)), "the hand-back copy (same slices) runs: \(actions)")
        #expect(!actions.contains { if case .skip = $0 { true } else { false } }, "not skipped as stale")
    }

    @Test("after the hand-back copy ran, a redelivery of the original is a duplicate and is skipped")
    func originalAfterCopyIsSkipped() throws {
        let (reassigned, job) = try handedBackAndReassigned()
        var state = reassigned
        let copy = try #require(state.admit(partition: p0, offset: 109, job: job, notBefore: nil, now: now).0)
        _ = state.sliceEnded(copy, .handedOn)
        let (again, actions) = state.admit(partition: p0, offset: 107, job: job, notBefore: nil, now: now)
        let redelivered = try #require(again)
        #expect(actions.contains(.skip(redelivered, newest: 13)), "\(actions)")
    }
}
