import Baton
import Foundation
import Kafka
import Testing

private typealias State = SliceDispatcherState
private let partitions = (0..<4).map { TopicPartition(topic: "baton.jobs", partition: Int32($0)) }
private let now = Date(timeIntervalSince1970: 1_000_000)

/// The dispatcher's bookkeeping with thousands of jobs in flight (issue 10): the counts it
/// reports on every event follow each change, and a worker holding many polling jobs starts
/// and drains them all with the watermark exact.
@Suite("Slice dispatcher at scale")
struct DispatcherAtScaleTests {
    @Test("the waiting count follows jobs into and out of their notBefore")
    func waitingCount() {
        var state = State(concurrency: 8)
        _ = state.assigned(partitions)
        let later = now.addingTimeInterval(30)
        let tickets = (0..<5).map { state.admit(partition: partitions[0], offset: Int64($0), job: .init(key: "w\($0)", slices: 1), notBefore: later, now: now).0! }
        #expect(state.waitingCount == 5)
        _ = state.delayElapsed(tickets[0])
        #expect(state.waitingCount == 4, "woken: queued, then running")
        _ = state.sliceEnded(tickets[1], .handedBack)
        #expect(state.waitingCount == 3, "handed back while waiting")
        _ = state.stopRequested()
        for ticket in tickets.dropFirst(2) { _ = state.sliceEnded(ticket, .handedBack) }
        #expect(state.waitingCount == 0)
    }

    @Test("5,000 jobs in flight on four partitions: all start, a shutdown hands every one on, the commits cover them all")
    func fiveThousand() {
        let count = 5_000
        var state = State(concurrency: count)
        _ = state.assigned(partitions)
        var started = 0
        var tickets: [State.Ticket] = []
        for index in 0..<count {
            let (ticket, actions) = state.admit(
                partition: partitions[index % 4], offset: Int64(index / 4), job: .init(key: "job-\(index)", slices: 1), notBefore: nil, now: now)
            tickets.append(ticket!)
            started += actions.filter { if case .start = $0 { true } else { false } }.count
        }
        #expect(started == count)
        #expect(state.slotsInUse == count)
        #expect(state.inFlight == count)
        let stop = state.stopRequested()
        #expect(stop.contains(.stop(tickets, .shutdown)))
        // Slices end out of order, as they do.
        var drained = false
        for ticket in tickets.reversed() {
            drained = state.sliceEnded(ticket, .handedOn).contains(.drained(.shutdown)) || drained
        }
        #expect(drained)
        #expect(state.inFlight == 0)
        #expect(state.pendingCommits() == Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(count / 4)) }))
    }
}
