import Birst
import Curl
import Foundation
import Kafka
import Logging

/// Everything a slice needs besides its job: settings and clients, shared by all the
/// slices of one worker.
public struct SliceEnvironment: Sendable {
    public var worker: WorkerSettings
    public var birstSettings: BirstSettings
    public var notifySettings: NotifySettings
    public var records: JobRecords
    public var sink: any RecordSink
    public var s3: S3Client
    public var birst: BirstSessionPool
    public var notifier: Notifier
    /// Whether Birst and S3 are usable; slices report environment faults here.
    public var health: EnvironmentHealth
    public var logger: Logger

    public init(
        worker: WorkerSettings, birstSettings: BirstSettings, notifySettings: NotifySettings, records: JobRecords,
        sink: any RecordSink, s3: S3Client, birst: BirstSessionPool, notifier: Notifier, health: EnvironmentHealth, logger: Logger
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
        self.logger = logger
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

extension Date {
    /// A wall-clock time `duration` from now, for `notBefore`.
    static func after(_ duration: Duration) -> Date {
        Date().addingTimeInterval(duration.seconds)
    }
}
