import Foundation
import Kafka
import Logging
import ServiceLifecycle
import UnixSignals

/// `baton worker`: one member of the consumer group on the jobs topic. Runs slices
/// concurrently, keeps the Kafka poll loop free, commits by watermark, and on
/// SIGTERM/SIGINT hands every job on and leaves the group within `shutdownGrace`.
public final class WorkerService: Service {
    private let configuration: BatonConfiguration
    private let dependencies: WorkerDependencies
    private let logger: Logger

    public init(configuration: BatonConfiguration, dependencies: WorkerDependencies, logger: Logger) {
        self.configuration = configuration
        self.dependencies = dependencies
        self.logger = logger
    }

    public func run() async throws {
        let settings = configuration.worker
        guard try await environmentReady() else {
            await dependencies.shutdown(timeout: settings.shutdownGrace)
            return
        }
        let dispatcher = SliceDispatcher(runner: SliceRunner(env: dependencies.environment), concurrency: settings.concurrency, logger: logger)
        let handoffGrace = settings.shutdownGrace * 0.6
        var consumerProperties = configuration.kafka.consumerProperties()
        // The end of a partition tells the dispatcher that a new assignment's backlog has
        // been read: only then do its messages start (stale copies are known by then).
        consumerProperties["enable.partition.eof"] = "true"
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(consumerProperties),
            topics: [configuration.topics.jobs.name],
            logger: logger,
            options: KafkaConsumerOptions(highWaterMessages: max(2 * settings.concurrency, 100), rebalanceHandoffTimeout: handoffGrace),
            onRebalance: { [logger] event in
                switch event {
                case .assigned(let partitions):
                    logger.info("partitions assigned", metadata: ["partitions": "\(partitions.map(\.description))"])
                    await dispatcher.assign(partitions)
                case .revoked(let partitions):
                    logger.info("partitions revoked", metadata: ["partitions": "\(partitions.map(\.description))"])
                    await dispatcher.revoke(partitions, within: handoffGrace)
                case .lost(let partitions):
                    logger.warning("partitions lost", metadata: ["partitions": "\(partitions.map(\.description))"])
                    await dispatcher.lose(partitions)
                }
            }
        )
        await dispatcher.attach(consumer)
        await dependencies.environment.health.setListener { healthy in
            if healthy { await dispatcher.environmentRecovered() } else { await dispatcher.environmentFailed() }
        }
        logger.info("worker started", metadata: [
            "worker": "\(dependencies.environment.records.workerID)", "topic": "\(configuration.topics.jobs.name)",
            "group": "\(consumer.groupID ?? "")", "concurrency": "\(settings.concurrency)",
            "sliceBudget": "\(ConfigDuration.format(settings.sliceBudget))",
        ])

        let committer = Task { await dispatcher.runCommits() }
        // Metrics: consumer lag sampled every 5 s (local librdkafka figures, no broker call).
        let lagSampler = Task {
            while !Task.isCancelled {
                await dispatcher.recordConsumerLag()
                try? await Task.sleep(for: .seconds(5))
            }
        }
        defer { lagSampler.cancel() }
        var failure: (any Error)?
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while let event = try await consumer.nextEvent() {
                            switch event {
                            case .message(let message):
                                let decoded = JobEnvelopeCodec.decode(key: message.key, value: message.value)
                                await dispatcher.admit(message, decoded: decoded)
                            case .endOfPartition(let partition, _):
                                await dispatcher.caughtUp(partition)
                            }
                        }
                    }
                    group.addTask {
                        for await reason in dispatcher.producerFailures { throw WorkerStop.producerFailed(reason) }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            // Graceful shutdown: the consume loop was cancelled on purpose.
        } catch let stop as WorkerStop {
            logger.critical("stopping: \(stop); messages not handed on stay uncommitted and are redelivered after a restart")
            failure = stop
        } catch {
            logger.error("consuming failed; handing jobs on and stopping", metadata: ["error": "\(error)"])
            failure = error
        }

        let started = ContinuousClock.now
        let inFlight = await dispatcher.inFlight
        logger.info("shutting down: handing jobs on", metadata: ["inFlight": "\(inFlight)"])
        let drain = await dispatcher.shutdown(within: handoffGrace)
        if failure == nil, case .producerFailed(let reason) = drain {
            // The producer failed while the worker was already stopping (a SIGTERM right
            // after a broker stall): jobs were left unhanded, so this is no clean exit either.
            logger.critical("stopping: the producer failed for good while handing jobs on; messages not handed on stay uncommitted and are redelivered after a restart", metadata: ["error": "\(reason)"])
            failure = WorkerStop.producerFailed(reason)
        }
        await committer.value
        lagSampler.cancel()
        await dispatcher.recordConsumerLag()  // metrics: the lag after the last commit
        // Leaving the group is bounded too: offsets are committed by now, and a close that
        // hangs inside librdkafka must not keep the process past its grace.
        let closeLimit = max(settings.shutdownGrace - (ContinuousClock.now - started), .seconds(1))
        let (closing, closingDone) = AsyncStream.makeStream(of: Void.self)
        Task {
            await consumer.close()
            closingDone.yield()
            closingDone.finish()
        }
        let limit = Task {
            try? await Task.sleep(for: closeLimit)
            closingDone.finish()
        }
        var closed = false
        for await _ in closing {
            closed = true
            break
        }
        limit.cancel()
        if !closed {
            logger.warning("the Kafka consumer did not close within the shutdown grace; leaving without it", metadata: [
                "seconds": "\(closeLimit.seconds)",
            ])
        }
        await dependencies.shutdown(timeout: max(settings.shutdownGrace - (ContinuousClock.now - started), .seconds(1)))
        logger.info("worker stopped", metadata: ["shutdownSeconds": "\((ContinuousClock.now - started).seconds)"])
        // A worker that stopped because consuming or producing failed must not look like
        // a clean exit: the orchestrator restarts it, and the messages come back.
        if let failure { throw failure }
    }
}

/// Why a worker stops by itself, with a non-zero exit.
public enum WorkerStop: Error, CustomStringConvertible {
    /// The producer failed for good (``ProducerFailure``).
    case producerFailed(String)

    public var description: String {
        switch self {
        case .producerFailed(let reason): reason
        }
    }
}

extension WorkerService {
    /// The start-up check: Birst login and S3 access, before joining the group. On a
    /// fault it says what is wrong and waits, re-checking, until it clears; false when
    /// the worker is shut down meanwhile.
    private func environmentReady() async throws -> Bool {
        // Not usable until the check passes: a metrics sidecar's /readyz reads this gauge.
        WorkerMetrics.environment(healthy: false)
        let faults = await dependencies.preflight()
        guard !faults.isEmpty else {
            WorkerMetrics.environment(healthy: true)
            return true
        }
        let recheck = configuration.worker.environmentRecheck
        for fault in faults {
            logger.error("start-up check failed: \(fault); not joining the consumer group until it clears", metadata: [
                "health": "unhealthy", "errorKind": "\(fault.kind)", "recheckSeconds": "\(recheck.seconds)",
            ])
        }
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: recheck)
                    if await self.dependencies.preflight().isEmpty { return }
                }
            }
        } catch is CancellationError {
            logger.info("stopped before the start-up check passed")
            return false
        }
        logger.notice("start-up check passed: Birst login works and S3 is readable", metadata: ["health": "healthy"])
        WorkerMetrics.environment(healthy: true)
        return true
    }

    /// The worker in a service group, built from the configuration: what `baton worker`
    /// runs (with signals), and what benchmarks and tests run in-process (without; they
    /// trigger the graceful shutdown themselves). The worker returning ends the group.
    public static func serviceGroup(
        configuration: BatonConfiguration, workerID: String?, logger: Logger, signals: [UnixSignal] = []
    ) throws -> ServiceGroup {
        let dependencies = try WorkerDependencies.make(configuration: configuration, workerID: workerID, logger: logger)
        let worker = WorkerService(configuration: configuration, dependencies: dependencies, logger: logger)
        return ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: signals,
            logger: logger
        ))
    }
}
