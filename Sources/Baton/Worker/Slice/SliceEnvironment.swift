import Birst
import Curl
import Foundation
import Kafka
import Logging

/// Everything a slice needs besides its job: settings, and the seams it talks through
/// (records, S3, Birst, notifications, the wall clock), shared by all the slices of one
/// worker. ``WorkerDependencies`` builds the real ones; unit tests pass fakes.
public struct SliceEnvironment: Sendable {
    /// The fields, behind one reference: a slice's async frames, its closure contexts and
    /// its stage values each hold a copy of the environment for as long as the slice waits,
    /// and 640 bytes of fields per copy added kilobytes to every waiting job (issue 10).
    private struct Fields: Sendable {
        var worker: WorkerSettings
        var birstSettings: BirstSettings
        var notifySettings: NotifySettings
        var records: JobRecords
        var sink: any RecordSink
        var s3: any ObjectStore
        var birst: any BirstSessions
        var notifier: any OutcomeNotifier
        var health: EnvironmentHealth
        var clock: any WallClock
        var logger: Logger
        var ledger: (any OutcomeLedger)?
    }

    private final class Storage: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    public var worker: WorkerSettings {
        get { storage.fields.worker }
        set { change { $0.worker = newValue } }
    }
    public var birstSettings: BirstSettings {
        get { storage.fields.birstSettings }
        set { change { $0.birstSettings = newValue } }
    }
    public var notifySettings: NotifySettings {
        get { storage.fields.notifySettings }
        set { change { $0.notifySettings = newValue } }
    }
    public var records: JobRecords {
        get { storage.fields.records }
        set { change { $0.records = newValue } }
    }
    public var sink: any RecordSink {
        get { storage.fields.sink }
        set { change { $0.sink = newValue } }
    }
    public var s3: any ObjectStore {
        get { storage.fields.s3 }
        set { change { $0.s3 = newValue } }
    }
    public var birst: any BirstSessions {
        get { storage.fields.birst }
        set { change { $0.birst = newValue } }
    }
    public var notifier: any OutcomeNotifier {
        get { storage.fields.notifier }
        set { change { $0.notifier = newValue } }
    }
    /// Whether Birst and S3 are usable; slices report environment faults here.
    public var health: EnvironmentHealth {
        get { storage.fields.health }
        set { change { $0.health = newValue } }
    }
    /// Wall-clock time for `notBefore`, timings and job age.
    public var clock: any WallClock {
        get { storage.fields.clock }
        set { change { $0.clock = newValue } }
    }
    public var logger: Logger {
        get { storage.fields.logger }
        set { change { $0.logger = newValue } }
    }
    /// Where a message that may have been run before looks up the outcome and dead letter
    /// an earlier run produced; nil: not looked up (each is produced again).
    public var ledger: (any OutcomeLedger)? {
        get { storage.fields.ledger }
        set { change { $0.ledger = newValue } }
    }
    /// Publish intents this worker sent and never followed with a call (one reference,
    /// shared by every copy of the environment).
    public let uncalledIntents = UncalledPublishIntents()
    /// Birst polls take turns here, twice `birst.maximumConnections` at a time, so a
    /// connection never waits for the gate (one reference, shared like the above).
    let birstPolls: PollGate

    public init(
        worker: WorkerSettings, birstSettings: BirstSettings, notifySettings: NotifySettings, records: JobRecords,
        sink: any RecordSink, s3: any ObjectStore, birst: any BirstSessions, notifier: any OutcomeNotifier,
        health: EnvironmentHealth, clock: any WallClock = SystemWallClock(), logger: Logger, ledger: (any OutcomeLedger)? = nil
    ) {
        storage = Storage(Fields(
            worker: worker, birstSettings: birstSettings, notifySettings: notifySettings, records: records, sink: sink, s3: s3,
            birst: birst, notifier: notifier, health: health, clock: clock, logger: logger, ledger: ledger))
        birstPolls = PollGate(limit: 2 * max(1, birstSettings.maximumConnections))
    }

    /// Copy on write: environments are shared by every slice, and settings never change
    /// while a worker runs.
    private mutating func change(_ body: (inout Fields) -> Void) {
        var fields = storage.fields
        body(&fields)
        storage = Storage(fields)
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
