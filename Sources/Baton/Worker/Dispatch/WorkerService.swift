import Foundation
import Kafka
import Logging
import ServiceLifecycle
import UnixSignals

/// `baton worker`: one member of the consumer group on the jobs topic. Runs slices
/// concurrently, keeps the Kafka poll loop free, commits by watermark, and on
/// SIGTERM/SIGINT hands every job on and leaves the group within `shutdownGrace`.
///
/// `run` is one loop over ``WorkerEvent``s — fetched messages, rebalances, slice ends,
/// commits, timers, health, stop — each fed to ``SliceDispatcherState`` through the
/// ``SliceDispatcher``, which carries out the actions it returns.
public final class WorkerService: Service {
    let configuration: BatonConfiguration
    let dependencies: WorkerDependencies
    let logger: Logger

    public init(configuration: BatonConfiguration, dependencies: WorkerDependencies, logger: Logger) {
        self.configuration = configuration
        self.dependencies = dependencies
        self.logger = logger
    }

    public func run() async throws {
        let settings = configuration.worker
        guard try await environmentReady() else {
            let started = ContinuousClock.now
            await dependencies.shutdown(timeout: settings.shutdownGrace)
            logStopped(since: started, joinedGroup: false)
            return
        }
        let handoffGrace = settings.shutdownGrace * 0.6
        let (events, inbox) = AsyncStream.makeStream(of: WorkerEvent.self)
        let consumer = try makeConsumer(inbox: inbox, handoffGrace: handoffGrace)
        // The loop runs in a task of its own: cancelling the worker stops it as SIGTERM
        // does (every job handed on) instead of cutting the loop off mid-way.
        let loop = Task { try await self.serve(consumer, events: events, inbox: inbox, handoffGrace: handoffGrace) }
        try await withTaskCancellationHandler {
            try await loop.value
        } onCancel: {
            inbox.yield(.stop)
        }
    }

    /// The loop, from the first event to leaving the group.
    private func serve(
        _ consumer: KafkaConsumer, events: AsyncStream<WorkerEvent>, inbox: AsyncStream<WorkerEvent>.Continuation, handoffGrace: Duration
    ) async throws {
        let settings = configuration.worker
        let dispatcher = SliceDispatcher(
            runner: SliceRunner(env: dependencies.environment), consumer: consumer, inbox: inbox,
            concurrency: settings.concurrency, handoffGrace: handoffGrace, logger: logger)
        await dependencies.environment.health.setListener { healthy in inbox.yield(.health(healthy: healthy)) }
        logger.info("worker started", metadata: [
            "worker": "\(dependencies.environment.records.workerID)", "topic": "\(configuration.topics.jobs.name)",
            "group": "\(consumer.groupID ?? "")", "concurrency": "\(settings.concurrency)",
            "sliceBudget": "\(ConfigDuration.format(settings.sliceBudget))",
        ])
        let reader = Task { await Self.read(consumer, into: inbox) }
        // Metrics: consumer lag sampled every 5 s (local librdkafka figures, no broker call);
        // and a notice while the worker owns no partitions, so a long wait is not silent.
        let lagSampler = Task { [logger] in
            var unassigned = UnassignedNotice(now: .now)
            while !Task.isCancelled {
                await Self.recordLag(consumer)
                if let waited = unassigned.observe(assigned: !consumer.assignment().isEmpty, now: .now) {
                    logger.notice("no partitions assigned yet: the group is rebalancing, or it has more members than the topic has partitions", metadata: [
                        "group": "\(consumer.groupID ?? "")", "waitedSeconds": "\(Int(waited.seconds))",
                    ])
                }
                try? await Task.sleep(for: .seconds(5))
            }
        }
        defer { lagSampler.cancel() }

        var failure: (any Error)?
        var stopping: ContinuousClock.Instant?
        var iterator = events.makeAsyncIterator()
        await withGracefulShutdownHandler {
            while let event = await iterator.next() {
                switch event {
                case .stop:
                    logger.info("shutting down: handing jobs on", metadata: ["inFlight": "\(dispatcher.state.inFlight)"])
                case .fetchEnded(let error?):
                    logger.error("consuming failed; handing jobs on and stopping", metadata: ["error": "\(error)"])
                    failure = failure ?? error
                default:
                    break
                }
                let wasRunning = dispatcher.state.lifecycle == .running
                dispatcher.handle(event)
                if wasRunning, dispatcher.state.lifecycle != .running {
                    stopping = .now
                    reader.cancel()
                    if case .draining(.producerFailed(let reason)) = dispatcher.state.lifecycle, failure == nil {
                        logger.critical("stopping: \(reason); messages not handed on stay uncommitted and are redelivered after a restart")
                        failure = WorkerStop.producerFailed(reason)
                    }
                }
                if dispatcher.drained != nil { break }
            }
        } onGracefulShutdown: {
            inbox.yield(.stop)
        }
        if failure == nil, case .producerFailed(let reason)? = dispatcher.drained {
            // The producer failed while the worker was already stopping (a SIGTERM right
            // after a broker stall): jobs were left unhanded, so this is no clean exit either.
            logger.critical("stopping: the producer failed for good while handing jobs on; messages not handed on stay uncommitted and are redelivered after a restart", metadata: ["error": "\(reason)"])
            failure = WorkerStop.producerFailed(reason)
        }
        inbox.finish()
        while let event = await iterator.next() { dispatcher.discard(event) }
        await dispatcher.finish()
        lagSampler.cancel()
        await Self.recordLag(consumer)  // metrics: the lag after the last commit
        let started = stopping ?? .now
        await close(consumer, within: max(settings.shutdownGrace - (ContinuousClock.now - started), .seconds(1)))
        reader.cancel()
        await dependencies.shutdown(timeout: max(settings.shutdownGrace - (ContinuousClock.now - started), .seconds(1)))
        logStopped(since: started, joinedGroup: true)
        // A worker that stopped because consuming or producing failed must not look like
        // a clean exit: the orchestrator restarts it, and the messages come back.
        if let failure { throw failure }
    }
}

extension WorkerService {
    /// The group member on the jobs topic; its rebalances become events of the loop, and
    /// librdkafka waits until the loop has dealt with each.
    private func makeConsumer(inbox: AsyncStream<WorkerEvent>.Continuation, handoffGrace: Duration) throws -> KafkaConsumer {
        var properties = configuration.kafka.consumerProperties()
        // The end of a partition tells the dispatcher that a new assignment's backlog has
        // been read: only then do its messages start (stale copies are known by then).
        properties["enable.partition.eof"] = "true"
        let concurrency = configuration.worker.concurrency
        return try KafkaConsumer(
            configuration: KafkaConfiguration(properties),
            topics: [configuration.topics.jobs.name],
            logger: logger,
            options: KafkaConsumerOptions(highWaterMessages: max(2 * concurrency, 100), rebalanceHandoffTimeout: handoffGrace),
            onRebalance: { event in
                await withCheckedContinuation { done in
                    // After the loop has ended (the final revoke of the close) nothing waits.
                    if case .terminated = inbox.yield(.rebalance(event, done: done)) { done.resume() }
                }
            }
        )
    }

    /// Feeds the consumer's messages into the loop, one at a time.
    private static func read(_ consumer: KafkaConsumer, into inbox: AsyncStream<WorkerEvent>.Continuation) async {
        do {
            while let event = try await consumer.nextEvent() {
                await withCheckedContinuation { taken in
                    if case .terminated = inbox.yield(.fetched(event, taken: taken)) { taken.resume() }
                }
            }
            inbox.yield(.fetchEnded(nil))
        } catch is CancellationError {
            // The worker stops reading on purpose.
        } catch {
            inbox.yield(.fetchEnded(error))
        }
    }

    /// Leaves the group, bounded: offsets are committed by now, and a close that hangs
    /// inside librdkafka must not keep the process past its grace.
    private func close(_ consumer: KafkaConsumer, within limit: Duration) async {
        let (closing, closingDone) = AsyncStream.makeStream(of: Void.self)
        Task {
            await consumer.close()
            closingDone.yield()
            closingDone.finish()
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            closingDone.finish()
        }
        var closed = false
        for await _ in closing {
            closed = true
            break
        }
        timer.cancel()
        if !closed {
            logger.warning("the Kafka consumer did not close within the shutdown grace; leaving without it", metadata: [
                "seconds": "\(limit.seconds)",
            ])
        }
    }

    /// Samples the consumer's lag per partition into the metrics.
    private static func recordLag(_ consumer: KafkaConsumer) async {
        let lag = await consumer.lag()
        WorkerMetrics.recordConsumerLag(Dictionary(lag.map { ($0.key.partition, $0.value) }) { a, _ in a })
    }

    /// The worker's last line, whether it served or stopped before joining the group:
    /// what operators and the shutdown tests look for.
    private func logStopped(since started: ContinuousClock.Instant, joinedGroup: Bool) {
        var metadata: Logger.Metadata = ["shutdownSeconds": "\((ContinuousClock.now - started).seconds)"]
        if !joinedGroup { metadata["joinedGroup"] = "false" }
        logger.info("worker stopped", metadata: metadata)
    }
}
