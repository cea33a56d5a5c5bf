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
        let (starts, readFrom, estimate) = try await startOffsets(plan)
        phases.mark("topic described")
        let window = ReplayWindow(ReplayAcknowledgements(topic: plan.source, resume: plan.resume))
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
            starts: readFrom.mapValues { KafkaStartOffset.offset($0) },
            options: TopicScan.bulkReadOptions(partitions: starts.count),
            logger: logger)
        let consumer = scan.consumer
        phases.mark("producer and reader created")
        let watcher = Task {
            await stop.wait()
            if !Task.isCancelled { await consumer.close() }
        }
        // By partition number (the source is one topic): a look-up per record hashes an integer.
        let firstOffsets = Dictionary(uniqueKeysWithValues: starts.map { ($0.key.partition, $0.value) })
        let runHeader = KafkaHeader(name: JobHeaders.replayRun, string: runID)
        var summary = ReplaySummary(runID: runID, dryRun: plan.dryRun)
        var withoutErrorKind = 0
        let clock = ContinuousClock()
        let started = clock.now
        var lastReport = started
        var dispatched = 0
        // Records read and not yet handed over (copies and bookkeeping), and the copies in
        // flight as last counted: never fewer than there are, since only reports lower it.
        var batch = ReplayBatch()
        var inFlight = 0
        func report() {
            progress(ReplayProgress(
                scanned: summary.scanned, selected: summary.selected,
                copied: plan.dryRun ? summary.copied : window.state.withLock { $0.copied },
                // A watermark below what was read already is a broker's approximation (Tansu).
                refused: summary.refusedCount, estimatedTotal: estimate.map { max($0, summary.scanned) }, elapsed: clock.now - started))
        }
        /// Hands what was gathered to the producer: one lock for its bookkeeping, one call
        /// (one lock in the producer, one report) for its copies.
        func handOver() async throws {
            guard !batch.isEmpty else { return }
            let ready = batch
            batch = ReplayBatch()
            inFlight = window.begin(ready)
            if let producer, !ready.records.isEmpty { try await produce(ready, with: producer, window: window) }
        }
        logger.info("replay started", metadata: [
            "runId": "\(runID)", "source": "\(plan.source)", "destination": "\(plan.destination)", "dryRun": "\(plan.dryRun)",
        ])
        do {
            while true {
                if stop.reason != nil { summary.interrupted = true; break }
                if let limit = plan.limit, dispatched + summary.copied >= limit { summary.interrupted = true; break }
                // About to wait for the reader: what was read goes out first.
                if !scan.hasBuffered { try await handOver() }
                // A failure is looked for once per hand-over (a lock), not per record.
                if batch.isEmpty, window.failed { summary.interrupted = true; break }
                guard let message = try await scan.next() else {
                    if stop.reason != nil { summary.interrupted = true }
                    break
                }
                if summary.scanned == 0 { phases.mark("first record") }
                // The clock is read every 64 records and before a wait for the reader, not per record.
                if summary.scanned & 63 == 0 || !scan.hasBuffered || plan.ratePerSecond != nil, clock.now - lastReport >= progressInterval {
                    lastReport = clock.now
                    report()
                }
                guard message.offset >= firstOffsets[message.partition] ?? 0 else { continue }
                if plan.destination == plan.source, message.header(JobHeaders.replayRun) == runHeader.value {
                    // This run's own copies: everything before them was read.
                    scan.finish(message.topicPartition)
                    continue
                }
                summary.scanned += 1
                if plan.selection.isPastEnd(message) { scan.finish(message.topicPartition) }
                guard plan.selection.matches(message) else {
                    batch.skip(message)
                    continue
                }
                summary.selected += 1
                let record: ProducerRecord
                switch plan.rewrite.copy(message, to: plan.destination, runHeader: runHeader) {
                case .failure(let refusal):
                    summary.refused[refusal, default: 0] += 1
                    batch.skip(message)
                    continue
                case .success(let copy):
                    record = copy
                }
                if let kind = message.header(JobHeaders.errorKind) {
                    summary.copiedPerErrorKind[String(decoding: kind, as: UTF8.self), default: 0] += 1
                } else {
                    withoutErrorKind += 1
                }
                if summary.firstJobIds.count < plan.sampleSize, let key = message.key {
                    let jobId = String(decoding: key, as: UTF8.self)
                    if !summary.firstJobIds.contains(jobId) { summary.firstJobIds.append(jobId) }
                }
                guard producer != nil else {
                    // A real run counts acknowledged copies (ReplayWindow).
                    summary.copied += 1
                    summary.copiedPerPartition[message.partition, default: 0] += 1
                    batch.skip(message)
                    continue
                }
                if let rate = plan.ratePerSecond {
                    let due = started + .milliseconds(Int64(Double(dispatched) * 1000 / rate))
                    if clock.now < due { try await clock.sleep(until: due) }
                }
                if inFlight + batch.records.count >= plan.maxInFlight {
                    // The window is full as far as this loop knows: send what it has, then
                    // wait until the reports make room.
                    try await handOver()
                    await window.waitForRoom(below: plan.maxInFlight)
                    inFlight = window.inFlight
                }
                dispatched += 1
                batch.copy(record, of: message)
                // Paced copies go out one by one; others in batches of what the reader had.
                if plan.ratePerSecond != nil || batch.records.count >= Self.batchSize { try await handOver() }
            }
            try await handOver()
            phases.mark("read to the end", ["read": "\(summary.scanned)"])
            await window.waitForRoom(below: 1)
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
        let final = window.state.withLock { $0 }
        if withoutErrorKind > 0 { summary.copiedPerErrorKind["-", default: 0] += withoutErrorKind }
        if !plan.dryRun {
            summary.copied = final.copied
            summary.copiedPerPartition = final.copiedPerPartition
            summary.unconfirmed = final.unconfirmed
        }
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

    /// The most copies handed to the producer in one call.
    static let batchSize = 1024

    /// Hands the batch's copies to librdkafka in reading order (so copies keep their order
    /// within a partition); their acknowledgements arrive later, together. A full local queue
    /// is waited out; any other refusal fails the copies not taken.
    private func produce(_ batch: ReplayBatch, with producer: KafkaProducer, window: ReplayWindow) async throws {
        let sources = batch.sources
        var first = 0
        var records = batch.records
        var backoff = Duration.milliseconds(1)
        while true {
            let from = first
            let (accepted, refusal) = producer.produce(records) { results in
                window.delivered(sources, from: from, results)
            }
            first += accepted
            guard first < sources.count else { return }
            records.removeFirst(accepted)
            if accepted > 0 { backoff = .milliseconds(1) }
            if let refusal, !refusal.isLocalQueueFull {
                window.delivered(sources, from: first, repeatElement(.failure(refusal), count: sources.count - first), refused: true)
                return
            }
            try await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .milliseconds(100))
        }
    }

    /// Per selected partition, the first offset that can match; where to read from; and how
    /// many records that leaves to read, from the watermarks (a hint).
    ///
    /// Reading starts at the first offset that can match, or at the high watermark if that
    /// is lower (`--from-offset` or `--resume` past the end): a fetch past the end is out of
    /// range, which on Kafka makes `auto.offset.reset=earliest` read the whole partition
    /// again and on Tansu never reports the partition's end, so the replay waited for ever.
    /// From the watermark the end is reported; records before the first offset that can
    /// match are passed over. (Tansu's watermark may fall inside the last batch, below the
    /// true end; reading from there costs a few records, never one too many.)
    private func startOffsets(_ plan: ReplayPlan) async throws -> ([TopicPartition: Int64], [TopicPartition: Int64], Int?) {
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
        var readFrom = starts
        for (partition, marks) in watermarks where marks.high < starts[partition]! {
            readFrom[partition] = marks.high
        }
        var estimate = 0
        for partition in partitions {
            guard let marks = watermarks[partition] else { return (starts, readFrom, nil) }
            let end = min(marks.high, (plan.selection.toOffset ?? Int64.max - 1) + 1)
            estimate += Int(max(0, end - max(starts[partition]!, marks.low)))
        }
        return (starts, readFrom, estimate)
    }
}
