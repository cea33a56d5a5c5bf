import Foundation
import Kafka

/// Every decision of the slice dispatcher, as a value: which messages run, wait or
/// queue for a slot, which partitions this worker owns, the per-partition commit
/// watermark, each job's lineage, and the lifecycle (running, draining, stopped).
///
/// Events go in through its mutating methods; what must happen comes out as
/// ``Action``s, which ``SliceDispatcher`` carries out for the worker's loop (start a slice, wake a
/// waiting job, stop or cancel slices, commit, pause fetching). No I/O, no clocks, no
/// tasks: the rules can be tested on their own, event by event.
///
/// The invariant all of it serves (DESIGN.md §4): the committed offset of a partition
/// never passes a message whose outputs (continuation, dead letter, outcome) were not
/// acknowledged by the broker.
public struct SliceDispatcherState: Sendable {
    /// One admitted message; unique for the life of the dispatcher.
    public typealias Ticket = UInt64

    public let concurrency: Int
    public private(set) var lifecycle = Lifecycle.running
    public private(set) var owned: Set<TopicPartition> = []
    public private(set) var pauseReasons: Set<PauseReason> = []
    private var watermark = CommitWatermark<TopicPartition>()
    private var lineage: JobLineage
    private var entries = Entries()
    /// Per job (lineage key): the one copy that may run (queued, waiting or running,
    /// also after being cut off, until its slice has ended). Two slices of one job never
    /// run at once in this worker.
    private var active: [String: Ticket] = [:]
    private var queue: [Ticket] = []
    private var running = 0
    private var revoking: Set<TopicPartition> = []
    /// Partitions just assigned whose backlog is still being read: their messages are
    /// admitted but not started until ``caughtUp(_:)``, so that a redelivered copy of a job
    /// is known to be stale (and never starts) when a newer copy follows it in the backlog.
    public private(set) var catchingUp: Set<TopicPartition> = []
    private var epochs: [TopicPartition: Int] = [:]
    private var assignedAt: [TopicPartition: Date] = [:]
    private var nextTicket: Ticket = 1

    /// How far producers' clocks may lag this worker's: a message stamped up to this
    /// long after an assignment still counts as written before it.
    public static let clockSkewAllowance: TimeInterval = 60

    public init(concurrency: Int, lineageCapacity: Int = 100_000) {
        precondition(concurrency > 0)
        self.concurrency = concurrency
        self.lineage = JobLineage(capacity: lineageCapacity)
    }

    // MARK: What it holds

    /// Slices running (holding a slot), including ones cut off and not yet ended.
    public var slotsInUse: Int { running }
    /// Jobs waiting out their `notBefore` (holding no slot).
    public var waitingCount: Int { entries.waitingCount }
    /// Messages admitted and waiting for a slot.
    public var queuedCount: Int { queue.count }
    /// Messages started and not done, over the partitions owned.
    public var inFlight: Int { watermark.totalInFlight }
    /// Messages whose slices ended unacknowledged: redelivered after this worker.
    public var held: Int { watermark.totalHeld }
    /// Whether this worker has seen the job with lineage key `key` end: an unreadable
    /// message under that key is a stray, not the job's end.
    public func isFinishedJob(_ key: String) -> Bool {
        lineage.isFinished(jobId: key)
    }

    /// Whether a copy of the job with lineage key `key` is waiting, queued or running
    /// here: an unreadable message under that key is a stray too (the job lives on in that
    /// copy), even when it starts just before the copy's slice has ended.
    public func isActiveJob(_ key: String) -> Bool {
        active[key] != nil
    }

    /// Whether `ticket` is known (queued, waiting or running).
    public func contains(_ ticket: Ticket) -> Bool { entries[ticket] != nil }

    /// Whether the message may have been run before, by a previous owner of its
    /// partition or an earlier run of this worker, with effects its envelope does not
    /// record: it was written before this worker last took the partition (messages
    /// written since can only have been run here, and the lineage skips those). Birst
    /// appends upload chunks blindly, so such a message must not resume its upload token
    /// (birst-api.md, Faults); the cost is an upload started over after a rebalance.
    public func isPossibleRedelivery(_ ticket: Ticket) -> Bool {
        entries[ticket]?.possibleRedelivery ?? true
    }

    /// Offsets to commit now: partitions whose watermark moved past the last commit.
    public func pendingCommits() -> [TopicPartition: Int64] {
        watermark.pendingCommits().filter { owned.contains($0.key) || revoking.contains($0.key) }
    }

    /// The commit of `offsets` succeeded.
    public mutating func committed(_ offsets: [TopicPartition: Int64]) {
        watermark.committed(offsets)
    }

    // MARK: Events

    /// Partitions were assigned to this worker at `now`. With `readingBacklog`, their
    /// messages are admitted but start only after ``caughtUp(_:)`` for the partition (the
    /// worker does this; without it, messages start as they come).
    public mutating func assigned(_ partitions: [TopicPartition], now: Date = Date(), readingBacklog: Bool = false) -> [Action] {
        guard lifecycle == .running else { return [] }
        owned.formUnion(partitions)
        for partition in partitions { assignedAt[partition] = now }
        revoking.subtract(partitions)
        if readingBacklog { catchingUp.formUnion(partitions) }
        return pauseReasons.isEmpty ? [] : [.pauseFetching]
    }

    /// `partition`'s backlog has been read (its end reached, or the time allowed for
    /// that is over): its messages may start now.
    public mutating func caughtUp(_ partition: TopicPartition) -> [Action] {
        guard catchingUp.remove(partition) != nil else { return [] }
        return fillSlots()
    }

    /// A message was fetched. Returns its ticket (nil when it is not taken: not owned,
    /// or not running) and what to do with it.
    /// `timestamp` is the message's (CreateTime) and `producedHere` says whether this
    /// worker wrote it (its clock, so no skew allowance), for ``isPossibleRedelivery(_:)``.
    public mutating func admit(
        partition: TopicPartition, offset: Int64, job: JobRef?, notBefore: Date?, now: Date,
        timestamp: Date? = nil, producedHere: Bool = false
    ) -> (Ticket?, [Action]) {
        guard lifecycle == .running, owned.contains(partition) else { return (nil, []) }
        let ticket = nextTicket
        nextTicket += 1
        let allowance = producedHere ? 0 : Self.clockSkewAllowance
        let writtenBefore = timestamp.map { $0.timeIntervalSince(assignedAt[partition] ?? .distantPast) < allowance } ?? true
        watermark.started(partition, offset: offset)
        entries[ticket] = Entry(
            partition: partition, offset: offset, job: job, notBefore: notBefore, phase: .queued, epoch: epochs[partition, default: 0],
            possibleRedelivery: writtenBefore
        )
        return (ticket, place(ticket, now: now))
    }

    /// A waiting job's `notBefore` has come.
    public mutating func delayElapsed(_ ticket: Ticket) -> [Action] {
        guard lifecycle == .running, let entry = entries[ticket], entry.phase == .waiting, owned.contains(entry.partition) else { return [] }
        entries[ticket]?.phase = .queued
        return enqueue(ticket)
    }

    /// The running slice of `ticket` is about to produce a publish intent of its job with
    /// `slices` (one more than its message). When that record is fetched here while the
    /// slice runs, it waits for the slice like a redelivered copy of the same state:
    /// skipped if the slice hands on (its continuation, with `slices + 1`, follows the
    /// intent) or finishes, run if the slice ends without its outputs acknowledged.
    public mutating func publishIntent(_ ticket: Ticket, slices: Int) {
        guard entries[ticket]?.phase == .running else { return }
        entries[ticket]?.intentSlices = slices
    }

    /// A slice (or a waiting job handed back) ended.
    public mutating func sliceEnded(_ ticket: Ticket, _ end: SliceEnd) -> [Action] {
        guard let entry = entries.removeValue(forKey: ticket) else { return [] }
        if entry.phase == .running { running -= 1 }
        if let job = entry.job, active[job.key] == ticket { active[job.key] = nil }
        let current = entry.epoch == epochs[entry.partition, default: 0]
        var actions: [Action] = []
        switch end {
        case .handedOn:
            if let job = entry.job { lineage.handedOn(jobId: job.key, slices: entry.intentSlices ?? job.slices) }
            if current { watermark.finished(entry.partition, offset: entry.offset) }
        case .handedBack:
            if let job = entry.job { lineage.handedBack(jobId: job.key, slices: job.slices) }
            if current { watermark.finished(entry.partition, offset: entry.offset) }
        case .finished:
            if let job = entry.job { lineage.finished(jobId: job.key) }
            if current { watermark.finished(entry.partition, offset: entry.offset) }
        case .abandoned:
            if let job = entry.job { lineage.abandoned(jobId: job.key, slices: job.slices) }
            if current { entry.superseded ? watermark.finished(entry.partition, offset: entry.offset) : watermark.held(entry.partition, offset: entry.offset) }
        case .producerFailed(let reason):
            if let job = entry.job { lineage.abandoned(jobId: job.key, slices: job.slices) }
            if current { entry.superseded ? watermark.finished(entry.partition, offset: entry.offset) : watermark.held(entry.partition, offset: entry.offset) }
            actions += beginDrain(.producerFailed(reason))
        }
        // Copies of the job that waited for this slice are decided again, now that the
        // lineage knows how it ended.
        actions += reconsiderFollowers(of: ticket)
        actions += fillSlots()
        actions += releaseRevoked()
        actions += commitIfMoved()
        actions += finishDrainIfDone()
        return actions
    }

    /// Partitions are being taken away in an orderly rebalance: their slices hand their
    /// jobs on, then ``Action/release(_:offsets:)`` commits and lets the rebalance go on.
    public mutating func revoked(_ partitions: [TopicPartition]) -> [Action] {
        let leaving = Set(partitions)
        owned.subtract(leaving)
        catchingUp.subtract(leaving)
        revoking.formUnion(leaving.filter { epochs[$0] != nil || watermark.committable($0) != nil || hasEntries(in: $0) })
        var actions = dropQueued(in: leaving)
        let toStop = tickets(in: leaving, current: true)
        if !toStop.isEmpty { actions.append(.stop(toStop, .rebalance)) }
        // Partitions with nothing in flight are released at once.
        let idle = leaving.filter { !hasEntries(in: $0, current: true) }
        actions += release(idle)
        actions += finishDrainIfDone()
        return actions
    }

    /// The revoked partitions' slices did not hand off within the grace: cut them off
    /// (their messages are redelivered to the next owner) and release the partitions.
    public mutating func revokeTimedOut(_ partitions: [TopicPartition]) -> [Action] {
        let late = Set(partitions).intersection(revoking)
        guard !late.isEmpty else { return [] }
        let cut = tickets(in: late, current: true)
        for ticket in cut { if let entry = entries[ticket] { watermark.held(entry.partition, offset: entry.offset) } }
        return (cut.isEmpty ? [] : [.cancel(cut)]) + release(late)
    }

    /// Partitions already belong to someone else (the session expired): cut their slices
    /// off, produce nothing more for them, commit nothing; the new owner starts from the
    /// last committed offset.
    public mutating func lost(_ partitions: [TopicPartition]) -> [Action] {
        let gone = Set(partitions)
        owned.subtract(gone)
        catchingUp.subtract(gone)
        revoking.subtract(gone)
        var actions = dropQueued(in: gone)
        let cut = tickets(in: gone, current: true)
        if !cut.isEmpty { actions.append(.cancel(cut)) }
        for partition in gone { epochs[partition, default: 0] += 1 }
        watermark.remove(gone)
        actions += finishDrainIfDone()
        return actions
    }

    /// SIGTERM/SIGINT: take nothing new, hand every job on, then ``Action/drained(_:)``.
    public mutating func stopRequested() -> [Action] {
        beginDrain(.shutdown) + finishDrainIfDone()
    }

    /// Draining took longer than the grace: cut off what is left (held, so never
    /// committed past) and finish.
    public mutating func drainTimedOut() -> [Action] {
        guard case .draining(let drain) = lifecycle else { return [] }
        let cut = entries.filter { $0.value.epoch == epochs[$0.value.partition, default: 0] }.map(\.key).sorted()
        for ticket in cut { if let entry = entries[ticket] { watermark.held(entry.partition, offset: entry.offset) } }
        for ticket in cut { entries[ticket]?.epoch = -1 }
        lifecycle = .stopped(drain)
        return (cut.isEmpty ? [] : [.cancel(cut)]) + [.drained(drain)]
    }

    /// Birst or S3 is unusable for every job: stop fetching until ``environmentRecovered()``.
    public mutating func environmentFailed() -> [Action] {
        pause(.environment)
    }

    public mutating func environmentRecovered() -> [Action] {
        unpause(.environment)
    }

    // MARK: Rules

    /// Decides what an admitted message does: run (queued, or waiting out `notBefore`),
    /// skip (a stale or duplicate copy of its job), or wait for another copy of its job.
    ///
    /// One copy of a job runs at a time. Against the copy that is active here:
    /// - an older copy is stale: skipped (the active one is newer and in flight);
    /// - the same state (a redelivery while that slice still runs, e.g. cut off when its
    ///   partition was lost) waits: skipped if that slice hands on or finishes, run if it
    ///   ends without its outputs acknowledged — skipping it at once would commit past it
    ///   even when the old slice's hand-off then fails;
    /// - a newer copy means the active one redoes a slice that already ran (a redelivery
    ///   read before the continuation it produced): the active copy is cut off now (or
    ///   dropped, if it has not started) and the newer one runs once it has ended.
    /// - the publish intent the active slice produced itself (``publishIntent(_:slices:)``)
    ///   is not newer than that slice: it waits like the same state.
    /// Without an active copy, the lineage decides.
    private mutating func place(_ ticket: Ticket, now: Date?) -> [Action] {
        guard let entry = entries[ticket] else { return [] }
        guard let job = entry.job else { return schedule(ticket, now: now) }
        var actions: [Action] = []
        if let other = active[job.key], other != ticket, let blocker = entries[other], let blockerJob = blocker.job {
            if job.slices < blockerJob.slices {
                return skipEntry(ticket, newest: blockerJob.slices)
            }
            // The slice's own publish intent is not newer than the slice.
            let blockerNewest = max(blockerJob.slices, blocker.intentSlices ?? blockerJob.slices)
            if job.slices > blockerNewest, blocker.phase == .queued {
                // Not started yet: the older copy is simply stale.
                actions += skipEntry(other, newest: job.slices)
            } else {
                entries[ticket]?.phase = .deferred(behind: other)
                if job.slices > blockerNewest, !blocker.superseded {
                    entries[other]?.superseded = true
                    actions.append(.supersede(other))
                }
                return actions
            }
        }
        switch lineage.admit(jobId: job.key, slices: job.slices) {
        case .skip(let newest):
            return actions + skipEntry(ticket, newest: newest)
        case .run:
            active[job.key] = ticket
            return actions + schedule(ticket, now: now)
        }
    }

    /// A message that will not run here and produces nothing: counted done.
    private mutating func skipEntry(_ ticket: Ticket, newest: Int) -> [Action] {
        guard let entry = entries.removeValue(forKey: ticket) else { return [] }
        queue.removeAll { $0 == ticket }
        if entry.epoch == epochs[entry.partition, default: 0] { watermark.finished(entry.partition, offset: entry.offset) }
        var actions: [Action] = [.skip(ticket, newest: newest)]
        if let job = entry.job, active[job.key] == ticket {
            active[job.key] = nil
            actions += reconsiderFollowers(of: ticket)
        }
        return actions + commitIfMoved()
    }

    /// Copies deferred behind `ticket` are decided again, newest first (so that of
    /// several, only the newest runs and the rest are skipped as stale).
    private mutating func reconsiderFollowers(of ticket: Ticket) -> [Action] {
        guard entries.deferredCount > 0 else { return [] }
        let followers = entries.filter { $0.value.phase == .deferred(behind: ticket) }
            .sorted { ($0.value.job?.slices ?? 0, -Int64($0.key)) > ($1.value.job?.slices ?? 0, -Int64($1.key)) }
            .map(\.key)
        var actions: [Action] = []
        for follower in followers where entries[follower] != nil {
            entries[follower]?.phase = .queued
            actions += place(follower, now: nil)
        }
        return actions
    }

    /// Runs an admitted message: at once (queued for a slot) or after its `notBefore`.
    /// Without `now` (decided again later), a `notBefore` is always waited out: the
    /// actor's timer returns at once when it has passed.
    private mutating func schedule(_ ticket: Ticket, now: Date?) -> [Action] {
        guard let entry = entries[ticket] else { return [] }
        if let notBefore = entry.notBefore, now.map({ notBefore > $0 }) ?? true {
            entries[ticket]?.phase = .waiting
            return [.wake(ticket, at: notBefore)]
        }
        entries[ticket]?.phase = .queued
        return enqueue(ticket)
    }

    private mutating func enqueue(_ ticket: Ticket) -> [Action] {
        queue.append(ticket)
        return fillSlots()
    }

    /// Starts queued messages while slots are free; pauses fetching when they are all
    /// taken, resumes once a quarter are free again (librdkafka 2.0.2 takes ~500 ms to
    /// fetch after a resume, so toggling per slice would stall).
    private mutating func fillSlots() -> [Action] {
        var actions: [Action] = []
        if lifecycle == .running {
            var index = 0
            while running < concurrency, index < queue.count {
                let ticket = queue[index]
                guard let entry = entries[ticket], entry.phase == .queued else {
                    queue.remove(at: index)
                    continue
                }
                // Held until the partition's backlog is read (a newer copy may follow).
                if catchingUp.contains(entry.partition) {
                    index += 1
                    continue
                }
                queue.remove(at: index)
                entries[ticket]?.phase = .running
                running += 1
                actions.append(.start(ticket))
            }
        }
        if running + queue.count >= concurrency {
            actions += pause(.slotsFull)
        } else if running + queue.count <= concurrency - max(1, concurrency / 4) {
            actions += unpause(.slotsFull)
        }
        return actions
    }

    private mutating func pause(_ reason: PauseReason) -> [Action] {
        let wasPaused = !pauseReasons.isEmpty
        pauseReasons.insert(reason)
        return wasPaused ? [] : [.pauseFetching]
    }

    private mutating func unpause(_ reason: PauseReason) -> [Action] {
        guard pauseReasons.remove(reason) != nil, pauseReasons.isEmpty else { return [] }
        return [.resumeFetching]
    }

    private mutating func beginDrain(_ drain: Drain) -> [Action] {
        switch lifecycle {
        case .running: break
        case .draining(.shutdown) where drain != .shutdown: break  // a producer failure while draining wins
        default: return []
        }
        lifecycle = .draining(drain)
        var actions = pause(.draining)
        actions += dropQueued(in: nil)
        let toStop = entries.filter { $0.value.epoch == epochs[$0.value.partition, default: 0] }.map(\.key).sorted()
        if !toStop.isEmpty { actions.append(.stop(toStop, .shutdown)) }
        return actions
    }

    private mutating func finishDrainIfDone() -> [Action] {
        guard case .draining(let drain) = lifecycle else { return [] }
        guard !entries.values.contains(where: { $0.epoch == epochs[$0.partition, default: 0] }) else { return [] }
        lifecycle = .stopped(drain)
        return [.drained(drain)]
    }

    /// Queued messages of `partitions` (all, if nil) never run here: forget them. They
    /// stay unfinished in the watermark, so nothing is committed past them.
    private mutating func dropQueued(in partitions: Set<TopicPartition>?) -> [Action] {
        let snapshot = entries
        let inScope = { (ticket: Ticket) -> Bool in
            guard let partition = snapshot[ticket]?.partition else { return false }
            return partitions?.contains(partition) ?? true
        }
        let deferred = entries.filter { if case .deferred = $0.value.phase { inScope($0.key) } else { false } }.map(\.key)
        let dropped = (queue.filter(inScope) + deferred).sorted()
        guard !dropped.isEmpty else { return [] }
        let droppedSet = Set(dropped)
        queue.removeAll { droppedSet.contains($0) }
        var actions: [Action] = [.drop(dropped)]
        for ticket in dropped {
            guard let entry = entries.removeValue(forKey: ticket) else { continue }
            // A deferred copy never touched the lineage; a queued one had been admitted.
            if let job = entry.job, active[job.key] == ticket {
                active[job.key] = nil
                lineage.abandoned(jobId: job.key, slices: job.slices)
                actions += reconsiderFollowers(of: ticket)
            }
        }
        return actions
    }

    private mutating func releaseRevoked() -> [Action] {
        release(revoking.filter { !hasEntries(in: $0, current: true) })
    }

    private mutating func release(_ partitions: some Collection<TopicPartition>) -> [Action] {
        guard !partitions.isEmpty else { return [] }
        var offsets: [TopicPartition: Int64] = [:]
        let pending = watermark.pendingCommits()
        for partition in partitions {
            if let offset = pending[partition] { offsets[partition] = offset }
            epochs[partition, default: 0] += 1
        }
        watermark.remove(partitions)
        revoking.subtract(partitions)
        return [.release(partitions.sorted(), offsets: offsets)]
    }

    private func commitIfMoved() -> [Action] {
        pendingCommits().isEmpty ? [] : [.commit]
    }

    private func hasEntries(in partition: TopicPartition, current: Bool = false) -> Bool {
        entries.contains(partition: partition, epoch: current ? epochs[partition, default: 0] : nil)
    }

    private func tickets(in partitions: Set<TopicPartition>, current: Bool) -> [Ticket] {
        entries.filter { partitions.contains($0.value.partition) && (!current || $0.value.epoch == epochs[$0.value.partition, default: 0]) }
            .map(\.key).sorted()
    }
}
