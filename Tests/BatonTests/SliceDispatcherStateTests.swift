import Baton
import Foundation
import Kafka
import Testing

private typealias State = SliceDispatcherState
private typealias Action = SliceDispatcherState.Action
private let p0 = TopicPartition(topic: "baton.jobs", partition: 0)
private let p1 = TopicPartition(topic: "baton.jobs", partition: 1)
private let now = Date(timeIntervalSince1970: 1_000_000)

private func job(_ key: String, _ slices: Int = 0) -> State.JobRef { State.JobRef(key: key, slices: slices) }

private extension State {
    mutating func admitNow(_ partition: TopicPartition, _ offset: Int64, _ job: JobRef?, notBefore: Date? = nil) -> (Ticket, [Action]) {
        let (ticket, actions) = admit(partition: partition, offset: offset, job: job, notBefore: notBefore, now: now)
        return (ticket!, actions)
    }

    /// Carries out a `.commit` the way the actor does.
    mutating func commitNow() -> [TopicPartition: Int64] {
        let pending = pendingCommits()
        committed(pending)
        return pending
    }
}

@Suite("Slice dispatcher state machine")
struct SliceDispatcherStateTests {
    @Test("messages start while slots are free, queue beyond, and fetching pauses at the limit and resumes a quarter below")
    func slots() {
        var state = State(concurrency: 4)
        _ = state.assigned([p0])
        var tickets: [State.Ticket] = []
        for offset in 0..<4 {
            let (ticket, actions) = state.admitNow(p0, Int64(offset), job("j\(offset)"))
            tickets.append(ticket)
            #expect(actions.first == .start(ticket))
            #expect(actions.contains(.pauseFetching) == (offset == 3), "paused exactly when the last slot is taken")
        }
        let (queued, queuedActions) = state.admitNow(p0, 4, job("j4"))
        #expect(queuedActions.isEmpty, "no slot: it waits in the queue")
        #expect(state.queuedCount == 1)
        let afterFirst = state.sliceEnded(tickets[0], .handedOn)
        #expect(afterFirst.contains(.start(queued)))
        #expect(!afterFirst.contains(.resumeFetching))
        #expect(state.sliceEnded(tickets[1], .handedOn).contains(.resumeFetching), "3 of 4 busy: a quarter free")
        #expect(!state.sliceEnded(tickets[2], .handedOn).contains(.resumeFetching), "resumed once")
    }

    @Test("a job waiting out notBefore holds no slot and starts when woken")
    func waiting() {
        var state = State(concurrency: 1)
        _ = state.assigned([p0])
        let later = now.addingTimeInterval(30)
        let (waiting, actions) = state.admitNow(p0, 0, job("a", 3), notBefore: later)
        #expect(actions == [.wake(waiting, at: later)])
        let (other, otherActions) = state.admitNow(p0, 1, job("b"))
        #expect(otherActions.first == .start(other), "the waiting job blocks neither a slot nor its partition")
        #expect(state.delayElapsed(waiting).isEmpty, "no slot free yet: queued")
        #expect(state.sliceEnded(other, .handedOn).contains(.start(waiting)))
    }

    @Test("the watermark commits only past acknowledged messages; an abandoned one holds it for good")
    func abandonedHoldsWatermark() {
        var state = State(concurrency: 8)
        _ = state.assigned([p0])
        let t0 = state.admitNow(p0, 10, job("a")).0
        let t1 = state.admitNow(p0, 11, job("b")).0
        let t2 = state.admitNow(p0, 12, job("c")).0
        _ = state.sliceEnded(t1, .handedOn)
        #expect(state.commitNow() == [p0: 10], "11 done, 10 still running: commit stays at 10")
        #expect(state.sliceEnded(t0, .handedOn).contains(.commit))
        #expect(state.commitNow() == [p0: 12])
        _ = state.sliceEnded(t2, .abandoned)
        let t3 = state.admitNow(p0, 13, job("d")).0
        _ = state.sliceEnded(t3, .finished)
        #expect(state.pendingCommits().isEmpty, "12 was never acknowledged: nothing past it is committed")
        #expect(state.held == 1)
    }

    @Test("duplicate deliveries and stale copies of a job are skipped; an abandoned copy runs again")
    func lineage() {
        var state = State(concurrency: 8)
        _ = state.assigned([p0])
        let (first, firstActions) = state.admitNow(p0, 0, job("j", 0))
        #expect(firstActions.first == .start(first))
        let (dup, dupActions) = state.admitNow(p0, 1, job("j", 0))
        #expect(dupActions.isEmpty, "the same new job while it runs waits for that slice")
        #expect(state.sliceEnded(first, .handedOn).contains(.skip(dup, newest: 1)), "that slice handed on: the duplicate is skipped")
        let (stale, staleActions) = state.admitNow(p0, 2, job("j", 0))
        #expect(staleActions.first == .skip(stale, newest: 1), "redelivered after its continuation was acknowledged")
        let (next, nextActions) = state.admitNow(p0, 3, job("j", 1))
        #expect(nextActions.first == .start(next), "the continuation itself runs")
        _ = state.sliceEnded(next, .abandoned)
        let (again, againActions) = state.admitNow(p0, 3, job("j", 1))
        #expect(againActions.first == .start(again), "its slice was abandoned: the redelivered message must run")
        _ = state.sliceEnded(again, .finished)
        let (late, lateActions) = state.admitNow(p0, 4, job("j", 1))
        #expect(lateActions.first == .skip(late, newest: Int.max), "the job has ended")
        #expect(state.commitNow() == [p0: 3], "skipped copies count as done, the abandoned offset 3 does not")
    }

    @Test("revoke: running and waiting jobs are asked to hand on, queued ones dropped, then the partition is released with its commit")
    func revoke() {
        var state = State(concurrency: 1)
        _ = state.assigned([p0, p1])
        let running = state.admitNow(p0, 5, job("a")).0
        let queued = state.admitNow(p0, 6, job("b")).0
        let waiting = state.admitNow(p0, 7, job("c"), notBefore: now.addingTimeInterval(60)).0
        let other = state.admitNow(p1, 0, job("d")).0
        let actions = state.revoked([p0])
        #expect(actions.contains(.drop([queued])))
        #expect(actions.contains(.stop([running, waiting], .rebalance)))
        #expect(!actions.contains { if case .release = $0 { true } else { false } }, "not released while slices hand off")
        #expect(state.admit(partition: p0, offset: 8, job: job("e"), notBefore: nil, now: now).0 == nil, "no longer owned")
        _ = state.sliceEnded(running, .handedOn)
        let last = state.sliceEnded(waiting, .handedBack)
        #expect(last.contains(.release([p0], offsets: [p0: 6])), "offset 6 (dropped, never run) is where the next owner starts")
        #expect(last.contains(.start(other)) || state.slotsInUse == 1)
        #expect(!state.owned.contains(p0) && state.owned.contains(p1))
    }

    @Test("revoke that outlasts the grace: late slices are cut off, nothing committed past them")
    func revokeTimeout() {
        var state = State(concurrency: 4)
        _ = state.assigned([p0])
        let done = state.admitNow(p0, 0, job("a")).0
        let slow = state.admitNow(p0, 1, job("b")).0
        _ = state.sliceEnded(done, .handedOn)
        _ = state.revoked([p0])
        let actions = state.revokeTimedOut([p0])
        #expect(actions == [.cancel([slow]), .release([p0], offsets: [p0: 1])])
        #expect(state.sliceEnded(slow, .handedOn).isEmpty, "a slice of a released partition moves nothing")
        #expect(state.slotsInUse == 0)
    }

    @Test("lost partitions: slices cut off, nothing committed; after reassignment a late end of the old slice moves nothing")
    func lost() {
        var state = State(concurrency: 4)
        _ = state.assigned([p0])
        let old = state.admitNow(p0, 3, job("a", 2)).0
        let actions = state.lost([p0])
        #expect(actions == [.cancel([old])])
        #expect(state.pendingCommits().isEmpty)
        _ = state.assigned([p0])
        let redelivered = state.admitNow(p0, 3, job("a", 2))
        #expect(redelivered.1.isEmpty, "the old slice of this job is still running here: the copy waits for it")
        #expect(state.sliceEnded(old, .handedOn).contains(.skip(redelivered.0, newest: 3)), "the old slice handed on after all: the copy is skipped")
        #expect(state.pendingCommits() == [p0: 4], "the redelivered copy was skipped (done); the old slice's end counts for nothing")
        let continuation = state.admitNow(p0, 9, job("a", 3))
        #expect(continuation.1.first == .start(continuation.0), "the old slice's continuation carries the job on")
    }

    @Test("lost partitions: a copy redelivered while the cut-off slice still runs runs itself if that slice's hand-off fails")
    func lostThenHandOffFails() {
        var state = State(concurrency: 4)
        _ = state.assigned([p0])
        let old = state.admitNow(p0, 3, job("a", 2)).0
        _ = state.lost([p0])
        _ = state.assigned([p0])
        let redelivered = state.admitNow(p0, 3, job("a", 2))
        #expect(redelivered.1.isEmpty, "waits for the cut-off slice of the same state")
        #expect(state.pendingCommits().isEmpty)
        let actions = state.sliceEnded(old, .abandoned)
        #expect(actions.contains(.start(redelivered.0)), "the old hand-off failed: the redelivered copy must run")
        #expect(state.pendingCommits().isEmpty, "nothing is committed past it while it runs")
        _ = state.sliceEnded(redelivered.0, .handedOn)
        #expect(state.pendingCommits() == [p0: 4])
    }

    @Test("a newer copy of a running job cuts the older slice off and runs after it: never two slices of one job at once")
    func newerCopySupersedes() {
        var state = State(concurrency: 8)
        _ = state.assigned([p0])
        // A fresh worker reads a redelivered message and, right behind it, the
        // continuation an earlier slice of it had already produced.
        let older = state.admitNow(p0, 4, job("j", 2)).0
        let (newer, newerActions) = state.admitNow(p0, 5, job("j", 3))
        #expect(newerActions == [.supersede(older)], "the older copy redoes a slice that already ran: cut it off")
        #expect(state.slotsInUse == 1, "the newer copy does not start beside it")
        let (again, againActions) = state.admitNow(p0, 6, job("j", 3))
        #expect(againActions.isEmpty, "a duplicate of the newer state waits too")
        let ended = state.sliceEnded(older, .abandoned)
        #expect(ended.contains(.start(newer)), "the newer copy runs once the older slice has ended")
        #expect(!ended.contains(.start(again)), "only one of the two equal copies runs")
        #expect(state.commitNow() == [p0: 5], "the superseded offset counts as done; the newer copy holds the watermark")
        #expect(state.sliceEnded(newer, .handedOn).contains(.skip(again, newest: 4)))
        #expect(state.commitNow() == [p0: 7])
    }

    @Test("a newer copy of a job that finished meanwhile is skipped: one outcome per job")
    func newerCopyAfterFinish() {
        var state = State(concurrency: 8)
        _ = state.assigned([p0])
        let older = state.admitNow(p0, 0, job("j", 5)).0
        let newer = state.admitNow(p0, 1, job("j", 6)).0
        #expect(state.sliceEnded(older, .finished).contains(.skip(newer, newest: Int.max)), "its outcome was recorded before the cut took effect")
        #expect(state.slotsInUse == 0)
        #expect(state.commitNow() == [p0: 2])
    }

    @Test("a newer copy of a job whose older copy has not started yet drops the older one")
    func newerCopyOfQueued() {
        var state = State(concurrency: 1)
        _ = state.assigned([p0])
        let busy = state.admitNow(p0, 0, job("other")).0
        let older = state.admitNow(p0, 1, job("j", 1)).0
        let (newer, actions) = state.admitNow(p0, 2, job("j", 2))
        #expect(actions.contains(.skip(older, newest: 2)), "stale before it ran")
        #expect(state.queuedCount == 1)
        #expect(state.sliceEnded(busy, .handedOn).contains(.start(newer)))
    }

    @Test("revoke and shutdown drop copies waiting for another copy of their job, without committing past them")
    func deferredDropped() {
        var state = State(concurrency: 4)
        _ = state.assigned([p0])
        let running = state.admitNow(p0, 0, job("j", 1)).0
        let duplicate = state.admitNow(p0, 1, job("j", 1)).0
        let actions = state.revoked([p0])
        #expect(actions.contains(.drop([duplicate])))
        #expect(actions.contains(.stop([running], .rebalance)))
        let released = state.sliceEnded(running, .handedOn)
        #expect(released.contains(.release([p0], offsets: [p0: 1])), "the dropped duplicate is where the next owner starts")
        #expect(!released.contains { if case .skip = $0 { true } else { false } })
    }

    @Test("a new assignment's backlog is read before anything starts: a redelivered copy followed by its continuation never runs")
    func backlogReadFirst() {
        var state = State(concurrency: 8)
        _ = state.assigned([p0, p1], readingBacklog: true)
        // The backlog from the committed offset: a message redelivered (its slice ran
        // elsewhere) and the continuation that slice had produced, plus another job.
        let (stale, staleActions) = state.admitNow(p0, 4, job("j", 2))
        #expect(staleActions.isEmpty, "held while the backlog is read")
        let (other, _) = state.admitNow(p1, 0, job("k", 0))
        let (newer, newerActions) = state.admitNow(p0, 5, job("j", 3))
        #expect(newerActions.contains(.skip(stale, newest: 3)), "the redelivered copy never starts")
        let p0Ready = state.caughtUp(p0)
        #expect(p0Ready.contains(.start(newer)))
        #expect(!p0Ready.contains(.start(other)), "p1 is still being read")
        #expect(state.caughtUp(p1).contains(.start(other)))
        #expect(state.caughtUp(p1).isEmpty, "once")
        #expect(state.commitNow() == [p0: 5])
    }

    @Test("shutdown: nothing new is taken, every job hands on, then drained")
    func shutdown() {
        var state = State(concurrency: 1)
        _ = state.assigned([p0])
        let running = state.admitNow(p0, 0, job("a")).0
        let queued = state.admitNow(p0, 1, job("b")).0
        let waiting = state.admitNow(p0, 2, job("c"), notBefore: now.addingTimeInterval(9)).0
        let actions = state.stopRequested()
        #expect(actions.contains(.drop([queued])))
        #expect(actions.contains(.stop([running, waiting], .shutdown)))
        #expect(state.admit(partition: p0, offset: 3, job: job("d"), notBefore: nil, now: now).0 == nil)
        #expect(state.delayElapsed(waiting).isEmpty)
        _ = state.sliceEnded(running, .handedOn)
        #expect(state.sliceEnded(waiting, .handedOn).contains(.drained(.shutdown)))
        #expect(state.commitNow() == [p0: 1], "stops below the dropped message")
        #expect(state.stopRequested().isEmpty, "a second stop changes nothing")
    }

    @Test("shutdown that outlasts the grace: the rest is cut off and held")
    func drainTimeout() {
        var state = State(concurrency: 2)
        _ = state.assigned([p0])
        let stuck = state.admitNow(p0, 0, job("a")).0
        _ = state.stopRequested()
        #expect(state.drainTimedOut() == [.cancel([stuck]), .drained(.shutdown)])
        #expect(state.sliceEnded(stuck, .handedOn).isEmpty)
        #expect(state.pendingCommits().isEmpty)
    }

    @Test("a fatal producer error drains the worker without committing past what was not handed on")
    func producerFailure() {
        var state = State(concurrency: 4)
        _ = state.assigned([p0])
        let done = state.admitNow(p0, 0, job("a")).0
        let failing = state.admitNow(p0, 1, job("b")).0
        let other = state.admitNow(p0, 2, job("c")).0
        _ = state.sliceEnded(done, .handedOn)
        let actions = state.sliceEnded(failing, .producerFailed("PRODUCER_FENCED"))
        #expect(state.lifecycle == .draining(.producerFailed("PRODUCER_FENCED")))
        #expect(actions.contains(.stop([other], .shutdown)))
        #expect(actions.contains(.pauseFetching) || state.pauseReasons.contains(.draining))
        #expect(state.sliceEnded(other, .abandoned).contains(.drained(.producerFailed("PRODUCER_FENCED"))))
        #expect(state.commitNow() == [p0: 1], "only the message handed on before the failure")
        #expect(state.stopRequested().isEmpty)
    }

    @Test("environment faults pause fetching until they clear; pause reasons combine")
    func environment() {
        var state = State(concurrency: 1)
        _ = state.assigned([p0])
        #expect(state.environmentFailed() == [.pauseFetching])
        let ticket = state.admitNow(p0, 0, job("a")).0
        #expect(state.environmentRecovered().isEmpty, "still paused: every slot is busy")
        #expect(state.sliceEnded(ticket, .handedOn).contains(.resumeFetching))
        #expect(state.assigned([p1]).isEmpty)
    }

    @Test("a message written before the assignment may be a redelivery; one written since cannot be")
    func redelivery() {
        var state = State(concurrency: 8)
        _ = state.assigned([p0], now: now)
        func admit(_ offset: Int64, _ timestamp: Date?, here: Bool) -> State.Ticket {
            state.admit(partition: p0, offset: offset, job: job("j\(offset)"), notBefore: nil, now: now, timestamp: timestamp, producedHere: here).0!
        }
        let t0 = admit(0, now.addingTimeInterval(-5), here: true)
        #expect(state.isPossibleRedelivery(t0), "written before this worker owned the partition")
        let t1 = admit(1, now.addingTimeInterval(0.001), here: true)
        #expect(!state.isPossibleRedelivery(t1), "this worker's own message, written since")
        let t2 = admit(2, now.addingTimeInterval(5), here: false)
        #expect(state.isPossibleRedelivery(t2), "another writer's clock may lag: allowance")
        let t3 = admit(3, now.addingTimeInterval(State.clockSkewAllowance + 1), here: false)
        #expect(!state.isPossibleRedelivery(t3))
        let t4 = admit(4, nil, here: false)
        #expect(state.isPossibleRedelivery(t4), "no timestamp: assume the worst")
        _ = state.assigned([p0], now: now.addingTimeInterval(600))
        let t5 = admit(5, now.addingTimeInterval(1), here: true)
        #expect(state.isPossibleRedelivery(t5), "a new assignment: everything before it is suspect")
    }

    @Test("a job this worker saw end is known as finished; others are not")
    func finishedJobs() {
        var state = State(concurrency: 2)
        _ = state.assigned([p0])
        let done = state.admitNow(p0, 0, job("done")).0
        let handedOn = state.admitNow(p0, 1, job("moving")).0
        _ = state.sliceEnded(done, .finished)
        _ = state.sliceEnded(handedOn, .handedOn)
        #expect(state.isFinishedJob("done"))
        #expect(!state.isFinishedJob("moving"))
        #expect(!state.isFinishedJob("unknown"))
    }

    @Test("a job with a copy running here is active until its slice has ended")
    func activeJobs() {
        var state = State(concurrency: 2)
        _ = state.assigned([p0])
        let running = state.admitNow(p0, 0, job("running")).0
        #expect(state.isActiveJob("running"), "an unreadable message under its key is a stray")
        #expect(!state.isActiveJob("unknown"))
        _ = state.sliceEnded(running, .finished)
        #expect(!state.isActiveJob("running"))
        #expect(state.isFinishedJob("running"))
    }

    @Test("every event after the stop starts nothing")
    func stopped() {
        var state = State(concurrency: 2)
        _ = state.assigned([p0])
        _ = state.stopRequested()
        #expect(state.admit(partition: p0, offset: 0, job: job("a"), notBefore: nil, now: now).0 == nil)
        #expect(state.assigned([p1]).isEmpty)
        #expect(state.delayElapsed(99).isEmpty)
        #expect(state.sliceEnded(99, .handedOn).isEmpty)
        #expect(state.revokeTimedOut([p0]).isEmpty)
        #expect(state.drainTimedOut().isEmpty)
        for action in state.revoked([p0]) + state.lost([p0]) + state.environmentFailed() + state.environmentRecovered() {
            if case .start = action { Issue.record("started a slice after the stop") }
        }
    }

    /// Random interleavings of every event; after each, the committed offset of every
    /// partition must not pass a message whose outputs were not acknowledged.
    @Test("property: the committed offset never passes an unacknowledged message", arguments: 0..<40)
    func neverCommitsPastUnacknowledged(seed: UInt64) {
        var random = SplitMix(seed: seed)
        var state = State(concurrency: 3, lineageCapacity: 8)
        let partitions = [p0, p1]
        var nextOffset: [TopicPartition: Int64] = [p0: 0, p1: 0]
        var committed: [TopicPartition: Int64] = [:]
        // Per partition, offsets fetched since this worker last took the partition, and
        // the ones whose outputs were acknowledged (or that produce nothing by design).
        var admitted: [TopicPartition: [State.Ticket: Int64]] = [:]
        var acknowledged: [TopicPartition: Set<Int64>] = [:]
        var live: [State.Ticket: (TopicPartition, Int64)] = [:]
        var waiting: Set<State.Ticket> = []

        func apply(_ actions: [Action]) {
            for action in actions {
                switch action {
                case .commit:
                    for (partition, offset) in state.commitNow() { committed[partition] = max(committed[partition] ?? 0, offset) }
                case .release(_, let offsets):
                    for (partition, offset) in offsets { committed[partition] = max(committed[partition] ?? 0, offset) }
                case .skip(let ticket, _):
                    if let (partition, offset) = live.removeValue(forKey: ticket) { acknowledged[partition, default: []].insert(offset) }
                case .supersede(let ticket):
                    // A newer copy of its job follows in the partition and is not done:
                    // the superseded offset counts as done, like a skipped stale copy.
                    if let (partition, offset) = live[ticket], admitted[partition]?[ticket] != nil { acknowledged[partition, default: []].insert(offset) }
                case .drop(let tickets):
                    for ticket in tickets { live[ticket] = nil }
                case .wake(let ticket, _):
                    waiting.insert(ticket)
                default:
                    break
                }
            }
        }
        func takeOver(_ partition: TopicPartition) {
            // A new ownership span: the broker redelivers from the committed offset.
            nextOffset[partition] = committed[partition] ?? 0
            admitted[partition] = [:]
            acknowledged[partition] = []
        }

        apply(state.assigned(partitions))
        for _ in 0..<400 {
            switch random.next(100) {
            case 0..<40:
                let partition = partitions[random.next(2)]
                let offset = nextOffset[partition, default: 0]
                let ref = job("job\(random.next(5))", random.next(3))
                let notBefore: Date? = random.next(5) == 0 ? now.addingTimeInterval(10) : nil
                let (ticket, actions) = state.admit(partition: partition, offset: offset, job: random.next(10) == 0 ? nil : ref, notBefore: notBefore, now: now)
                if let ticket {
                    nextOffset[partition] = offset + 1
                    admitted[partition, default: [:]][ticket] = offset
                    live[ticket] = (partition, offset)
                }
                apply(actions)
            case 40..<75:
                guard let ticket = live.keys.randomElement(using: &random) else { continue }
                let end: State.SliceEnd = switch random.next(10) {
                case 0..<5: .handedOn
                case 5..<7: .finished
                case 7..<9: .abandoned
                default: random.next(4) == 0 ? .producerFailed("fenced") : .abandoned
                }
                let (partition, offset) = live.removeValue(forKey: ticket)!
                waiting.remove(ticket)
                if end == .handedOn || end == .finished, admitted[partition]?[ticket] != nil {
                    acknowledged[partition, default: []].insert(offset)
                }
                apply(state.sliceEnded(ticket, end))
            case 75..<82:
                guard let ticket = waiting.randomElement(using: &random) else { continue }
                waiting.remove(ticket)
                apply(state.delayElapsed(ticket))
            case 82..<86:
                let partition = partitions[random.next(2)]
                apply(state.revoked([partition]))
                if random.next(2) == 0 { apply(state.revokeTimedOut([partition])) }
            case 86..<90:
                let partition = partitions[random.next(2)]
                apply(state.lost([partition]))
            case 90..<96:
                let partition = partitions[random.next(2)]
                if !state.owned.contains(partition) {
                    takeOver(partition)
                    apply(state.assigned([partition]))
                }
            case 96..<98:
                apply(random.next(2) == 0 ? state.environmentFailed() : state.environmentRecovered())
            default:
                apply(random.next(3) == 0 ? state.drainTimedOut() : state.stopRequested())
            }
            for partition in partitions {
                guard let mark = committed[partition] else { continue }
                let unacknowledged = (admitted[partition] ?? [:]).values.filter { $0 < mark && !(acknowledged[partition] ?? []).contains($0) }
                #expect(unacknowledged.isEmpty, "seed \(seed): committed \(mark) on \(partition) past unacknowledged \(unacknowledged.sorted())")
                if !unacknowledged.isEmpty { return }
            }
        }
    }
}

/// A small seeded generator, so a failing interleaving can be replayed by its seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

@Suite("Job lineage")
struct JobLineageTests {
    @Test("bounded: the oldest jobs are forgotten beyond capacity")
    func bounded() {
        var lineage = JobLineage(capacity: 2)
        #expect(lineage.admit(jobId: "a", slices: 0) == .run)
        #expect(lineage.admit(jobId: "a", slices: 0) == .skip(newest: 0))
        #expect(lineage.admit(jobId: "b", slices: 0) == .run)
        #expect(lineage.admit(jobId: "c", slices: 0) == .run)
        #expect(lineage.count == 2)
        #expect(lineage.admit(jobId: "a", slices: 0) == .run, "forgotten")
    }
}
