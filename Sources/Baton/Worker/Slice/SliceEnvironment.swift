import Birst
import Curl
import Foundation
import Kafka
import Logging

/// Everything a slice needs besides its job: settings, and the seams it talks through
/// (records, S3, Birst, notifications, the wall clock), shared by all the slices of one
/// worker. ``WorkerDependencies`` builds the real ones; unit tests pass fakes.
public struct SliceEnvironment: Sendable {
    public var worker: WorkerSettings
    public var birstSettings: BirstSettings
    public var notifySettings: NotifySettings
    public var records: JobRecords
    public var sink: any RecordSink
    public var s3: any ObjectStore
    public var birst: any BirstSessions
    public var notifier: any OutcomeNotifier
    /// Whether Birst and S3 are usable; slices report environment faults here.
    public var health: EnvironmentHealth
    /// Wall-clock time for `notBefore`, timings and job age.
    public var clock: any WallClock
    public var logger: Logger
    /// Where a message that may have been run before looks up the outcome and dead letter
    /// an earlier run produced; nil: not looked up (each is produced again).
    public var ledger: (any OutcomeLedger)?
    /// Publish intents this worker recorded and never followed with a call.
    public let uncalledIntents = UncalledPublishIntents()

    public init(
        worker: WorkerSettings, birstSettings: BirstSettings, notifySettings: NotifySettings, records: JobRecords,
        sink: any RecordSink, s3: any ObjectStore, birst: any BirstSessions, notifier: any OutcomeNotifier,
        health: EnvironmentHealth, clock: any WallClock = SystemWallClock(), logger: Logger, ledger: (any OutcomeLedger)? = nil
    ) {
        self.worker = worker
        self.birstSettings = birstSettings
        self.notifySettings = notifySettings
        self.records = records
        self.sink = sink
        self.s3 = s3
        self.birst = birst
        self.notifier = notifier
        self.health = health
        self.clock = clock
        self.logger = logger
        self.ledger = ledger
    }

    public var backoff: Backoff { Backoff(initial: worker.backoffInitial, maximum: worker.backoffMax) }

    /// Produces records until each is acknowledged. A broker outage is waited out
    /// (with back-off) rather than losing a continuation; cancellation stops it, and a
    /// fatal producer error ends it with ``ProducerFailure`` (retrying cannot help).
    func deliver(_ records: [OutgoingRecord], logger: Logger) async throws {
        // A slice cut off (its partition lost, or the hand-off grace over) produces nothing
        // more: its message is redone by whoever owns the partition now.
        try Task.checkCancellation()
        for record in records {
            var failures = 0
            while true {
                do {
                    try await sink.send(record)
                    break
                } catch let error as KafkaError where error.isFatal {
                    WorkerMetrics.producerError(fatal: true)
                    throw ProducerFailure(error)
                } catch {
                    try Task.checkCancellation()
                    WorkerMetrics.producerError(fatal: false)
                    failures += 1
                    let delay = Backoff(initial: .milliseconds(200), maximum: .seconds(10)).delay(afterFailures: failures)
                    logger.warning("producing to \(record.topic) failed; retrying", metadata: [
                        "error": "\(error)", "attempt": "\(failures)", "retryInSeconds": "\(delay.seconds)",
                    ])
                    try await Task.sleep(for: delay)
                }
            }
        }
    }
}

extension SliceEnvironment {
    /// Runs `body` in the Birst conversation of `job`'s affinity cookie, then records the
    /// conversation's cookie in the job, whether `body` returned or threw: a re-login or a
    /// job token issued during `body` binds the job to that server from now on.
    func withSession<T>(
        _ job: inout JobEnvelope, _ body: (any BirstConnection, inout JobEnvelope) async throws -> T
    ) async throws -> T {
        let session = await birst.session(affinityCookie: job.birst.affinityCookie)
        do {
            let result = try await body(session, &job)
            job.birst.affinityCookie = await session.affinityCookie
            return result
        } catch {
            job.birst.affinityCookie = await session.affinityCookie
            throw error
        }
    }
}
