import Foundation
import Kafka
import Logging
import Synchronization

/// Copies selected records from one topic to another (`baton replay`).
///
/// Reads the source partitions outside any consumer group from the first offset that can
/// match (`--from-offset`, `--resume`, or offsets-for-times for `--since`, which is only a
/// hint: each record's own timestamp decides) to the end of each partition (the EOF event,
/// not a watermark snapshot). Nothing is committed, deleted or written on the source.
/// Copies go to the destination keyed as before (so a job's copies stay in its partition)
/// and in reading order, up to ``ReplayPlan/maxInFlight`` at once, without a task or an
/// await per copy. When
/// the destination is the source, a partition ends where this run's own copies begin
/// (`baton-replay-run`).
///
/// Positions count a record as handled once its copy is acknowledged (or once it is not
/// selected), so a run that stops early — a ``StopSignal``, ``ReplayPlan/limit``, a failed
/// copy — reports positions a resumed run continues from without duplicates. (After a
/// failed copy, later copies of the same partition that did get through are copied again
/// on resume: the position never passes an unacknowledged record.)
public struct Replayer: Sendable {
    /// How to reach the cluster (bootstrap servers, security, producer settings).
    public var kafka: KafkaSettings
    /// Start and end of each run, at info.
    public var logger: Logger

    public init(kafka: KafkaSettings, logger: Logger) {
        self.kafka = kafka
        self.logger = logger
    }

    /// Runs `plan`.
    /// - Parameters:
    ///   - stop: firing it ends the run early: reading stops, copies in flight are awaited.
    ///   - progressInterval: how often `progress` is called while records are read.
    /// - Returns: the summary, also for runs that stopped early or whose copy failed
    ///   (``ReplaySummary/failure``).
    /// - Throws: ``ReplayError`` for an invalid plan or an unknown topic; ``KafkaError``
    ///   when the cluster cannot be reached.
    public func run(
        _ plan: ReplayPlan,
        stop: StopSignal = StopSignal(),
        progressInterval: Duration = .milliseconds(250),
        progress: @Sendable (ReplayProgress) -> Void = { _ in }
    ) async throws -> ReplaySummary {
        try plan.validate()
        let runID = UUID().uuidString.lowercased()
        let phases = ReplayPhases(logger: logger)
        let (starts, estimate) = try await startOffsets(plan)
        phases.mark("topic described")
        let shared = Shared(ReplayAcknowledgements(resume: plan.resume))
        // A bulk copy wants batches, not the 1 ms a worker's hand-off waits: with 1 ms the
        // copies in flight went out in small batches, at a fifth of a kcat pipe's rate.
        var properties = kafka.producerProperties
        if kafka.properties["linger.ms"] == nil { properties["linger.ms"] = "10" }
        let producer = plan.dryRun ? nil : try KafkaProducer(configuration: KafkaConfiguration(properties), logger: logger)
        let scan = try TopicScan(
            clientProperties: kafka.clientProperties,
            // Explicit offsets: a logical start (`.beginning`) makes librdkafka look the offset
            // up first, half a second before the first fetch. Offset 0 of a topic whose first
            // records are gone is out of range, and the reader's `auto.offset.reset=earliest`
            // starts at the first record there is.
            starts: starts.mapValues { KafkaStartOffset.offset($0) },
            options: TopicScan.bulkReadOptions(partitions: starts.count),
            logger: logger)
        let consumer = scan.consumer
        phases.mark("producer and reader created")
        let watcher = Task {
            await stop.wait()
            if !Task.isCancelled { await consumer.close() }
        }
        var summary = ReplaySummary(runID: runID, dryRun: plan.dryRun)
        let clock = ContinuousClock()
        let started = clock.now
        var lastReport = started
        var dispatched = 0
        func report() {
            progress(ReplayProgress(
                scanned: summary.scanned, selected: summary.selected,
                copied: plan.dryRun ? summary.copied : shared.state.withLock { $0.copied },
                // A watermark below what was read already is a broker's approximation (Tansu).
                refused: summary.refusedCount, estimatedTotal: estimate.map { max($0, summary.scanned) }, elapsed: clock.now - started))
        }
        logger.info("replay started", metadata: [
            "runId": "\(runID)", "source": "\(plan.source)", "destination": "\(plan.destination)", "dryRun": "\(plan.dryRun)",
        ])
        do {
            while true {
                if shared.state.withLock({ $0.failure != nil }) || stop.reason != nil { summary.interrupted = true; break }
                if let limit = plan.limit, dispatched + summary.copied >= limit { summary.interrupted = true; break }
                guard let message = try await scan.next() else {
                    if stop.reason != nil { summary.interrupted = true }
                    break
                }
                if summary.scanned == 0 { phases.mark("first record") }
                let partition = message.topicPartition
                if clock.now - lastReport >= progressInterval {
                    lastReport = clock.now
                    report()
                }
                guard message.offset >= starts[partition] ?? 0 else { continue }
                if plan.destination == plan.source, message.header(JobHeaders.replayRun).map({ String(decoding: $0, as: UTF8.self) }) == runID {
                    // This run's own copies: everything before them was read.
                    scan.finish(partition)
                    continue
                }
                summary.scanned += 1
                if plan.selection.isPastEnd(message) { scan.finish(partition) }
                guard plan.selection.matches(message) else {
                    shared.state.withLock { $0.acknowledgements.skipped(partition, offset: message.offset) }
                    continue
                }
                summary.selected += 1
                let record: OutgoingRecord
                switch plan.rewrite.copy(message, to: plan.destination, runID: runID) {
                case .failure(let refusal):
                    summary.refused[refusal, default: 0] += 1
                    shared.state.withLock { $0.acknowledgements.skipped(partition, offset: message.offset) }
                    continue
                case .success(let copy):
                    record = copy
                }
                summary.copiedPerPartition[message.partition, default: 0] += 1
                summary.copiedPerErrorKind[message.header(JobHeaders.errorKind).map { String(decoding: $0, as: UTF8.self) } ?? "-", default: 0] += 1
                if summary.firstJobIds.count < plan.sampleSize, let key = message.key {
                    summary.firstJobIds.append(String(decoding: key, as: UTF8.self))
                }
                guard let producer else {
                    summary.copied += 1
                    shared.state.withLock { $0.acknowledgements.skipped(partition, offset: message.offset) }
                    continue
                }
                if let rate = plan.ratePerSecond {
                    let due = started + .milliseconds(Int64(Double(dispatched) * 1000 / rate))
                    if clock.now < due { try await clock.sleep(until: due) }
                }
                // One lock per copy when there is room (nearly always); else wait for it.
                while !shared.start(partition, offset: message.offset, below: plan.maxInFlight) {
                    await shared.waitForRoom(below: plan.maxInFlight)
                }
                dispatched += 1
                try await produce(record, with: producer, from: message, shared: shared, window: plan.maxInFlight)
            }
            phases.mark("read to the end", ["read": "\(summary.scanned)"])
            await shared.waitForRoom(below: 1)
            phases.mark("last acknowledgement")
        } catch {
            watcher.cancel()
            _ = await scan.close()
            await producer?.shutdown(timeout: .seconds(10))
            throw error
        }
        watcher.cancel()
        _ = await scan.close()
        await producer?.shutdown(timeout: .seconds(10))
        phases.mark("closed")
        let final = shared.state.withLock { $0 }
        if !plan.dryRun { summary.copied = final.copied }
        summary.failure = final.failure
        summary.positions = final.acknowledgements.positions
        summary.elapsed = clock.now - started
        report()
        logger.info("replay ended", metadata: [
            "runId": "\(runID)", (plan.dryRun ? "wouldCopy" : "copied"): "\(summary.copied)", "scanned": "\(summary.scanned)",
            "interrupted": "\(summary.interrupted)", "positions": "\(summary.positions)",
        ])
        return summary
    }

    /// Hands the copy to librdkafka in reading order (so copies keep their order within a
    /// partition); its acknowledgement arrives later. A full local queue is waited out.
    private func produce(_ record: OutgoingRecord, with producer: KafkaProducer, from message: KafkaMessage, shared: Shared, window: Int) async throws {
        let partition = message.topicPartition
        let offset = message.offset
        var backoff = Duration.milliseconds(1)
        while true {
            do {
                try producer.produce(topic: record.topic, key: record.key, value: record.value, headers: record.headers) { result in
                    shared.delivered(partition, offset: offset, result)
                }
                return
            } catch let error where error.isLocalQueueFull {
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .milliseconds(100))
            } catch {
                shared.delivered(partition, offset: offset, .failure(error))
                return
            }
        }
    }

    /// Per selected partition, the first offset that can match; and how many records that
    /// leaves to read, from the watermarks (a hint).
    private func startOffsets(_ plan: ReplayPlan) async throws -> ([TopicPartition: Int64], Int?) {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(kafka.clientProperties), logger: logger)
        defer { admin.shutdown() }
        guard let topic = try await admin.listTopics(timeout: .seconds(30)).first(where: { $0.name == plan.source }) else {
            throw ReplayError.unknownTopic(plan.source)
        }
        let partitions = topic.partitions
            .filter { plan.selection.partitions?.contains($0) ?? true }
            .map { TopicPartition(topic: plan.source, partition: $0) }
        guard !partitions.isEmpty else {
            throw ReplayError.invalidSelection("topic \(plan.source) has no partition \(plan.selection.partitions?.sorted().map(String.init).joined(separator: ", ") ?? "")")
        }
        var watermarks: [TopicPartition: (low: Int64, high: Int64)] = [:]
        for partition in partitions {
            watermarks[partition] = try? await admin.watermarks(partition, timeout: .seconds(10))
        }
        var starts: [TopicPartition: Int64] = [:]
        for partition in partitions {
            var start = plan.selection.fromOffset ?? 0
            if let position = plan.resume.offsets[partition] { start = max(start, position + 1) }
            starts[partition] = start
        }
        if let since = plan.selection.since {
            // A hint (Tansu answers 0 for every time): records are still filtered by their
            // own timestamps, so an early start costs time, never correctness.
            let hints = (try? await admin.offsetsForTimes(Dictionary(uniqueKeysWithValues: partitions.map { ($0, since) }), timeout: .seconds(10))) ?? [:]
            for partition in partitions {
                guard let hint = hints[partition] else { continue }
                // nil: no record at or after `since` yet; read from the end (a hint too).
                if let offset = hint ?? watermarks[partition]?.high { starts[partition] = max(starts[partition]!, offset) }
            }
        }
        var estimate = 0
        for partition in partitions {
            guard let marks = watermarks[partition] else { return (starts, nil) }
            let end = min(marks.high, (plan.selection.toOffset ?? Int64.max - 1) + 1)
            estimate += Int(max(0, end - max(starts[partition]!, marks.low)))
        }
        return (starts, estimate)
    }
}

/// What delivery reports update: acknowledged positions, the count, the first failure,
/// and the window of copies in flight.
private final class Shared: Sendable {
    struct State: Sendable {
        var acknowledgements: ReplayAcknowledgements
        var copied = 0
        var failure: String?
        var inFlight = 0
        var waiter: (limit: Int, continuation: CheckedContinuation<Void, Never>)?
    }

    let state: Mutex<State>

    init(_ acknowledgements: ReplayAcknowledgements) {
        state = Mutex(State(acknowledgements: acknowledgements))
    }

    /// Counts the copy of `offset` as in flight if fewer than `limit` are; false when
    /// there is no room (nothing counted).
    func start(_ partition: TopicPartition, offset: Int64, below limit: Int) -> Bool {
        state.withLock { state in
            guard state.inFlight < limit else { return false }
            state.acknowledgements.started(partition, offset: offset)
            state.inFlight += 1
            return true
        }
    }

    /// Returns once fewer than `limit` copies are in flight.
    func waitForRoom(below limit: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.inFlight < limit { return true }
                state.waiter = (limit, continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// A delivery report arrived (on the producer's poll thread).
    func delivered(_ partition: TopicPartition, offset: Int64, _ result: Result<DeliveryReport, KafkaError>) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.inFlight -= 1
            switch result {
            case .success:
                state.acknowledgements.acknowledged(partition, offset: offset)
                state.copied += 1
            case .failure(let error):
                state.failure = state.failure ?? "\(partition)/\(offset): \(error)"
            }
            guard let waiter = state.waiter, state.inFlight < waiter.limit else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}
