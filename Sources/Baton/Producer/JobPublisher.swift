import Foundation
import Kafka
import Logging
import S3Events

/// Publishes what S3 events become: jobs on the jobs topic, `unrouted` and `skipped`
/// outcomes on the outcomes topic. Returns only after the broker acknowledged every record.
public struct JobPublisher: Sendable {
    public struct Published: Sendable, Equatable {
        public var made: JobFactory.Made
        public var event: S3ObjectEvent
    }

    public var factory: JobFactory
    public var records: JobRecords
    public var sink: any RecordSink
    public var logger: Logger

    public init(factory: JobFactory, records: JobRecords, sink: any RecordSink, logger: Logger) {
        self.factory = factory
        self.records = records
        self.sink = sink
        self.logger = logger
    }

    /// Some records were not acknowledged by the broker (it is down, or the producer was
    /// shut down while they waited, e.g. on Ctrl-C). Each job id is derived from its S3
    /// object, so publishing the same objects again is safe: a job published twice collapses
    /// into one.
    public struct Incomplete: Error, CustomStringConvertible {
        /// Acknowledged by the broker: these jobs exist.
        public var published: [Published]
        /// Not acknowledged. They may or may not have reached the broker.
        public var unconfirmed: [Published]
        /// Why the first of them failed.
        public var error: any Error

        public var description: String {
            "\(unconfirmed.count) of \(published.count + unconfirmed.count) records not acknowledged by the broker: \(error)"
        }
    }

    /// Publishes one record per event and waits for the broker's acknowledgement of each.
    /// - Throws: ``Incomplete`` (saying which records were acknowledged) if any was not.
    public func publish(_ events: [S3ObjectEvent]) async throws -> [Published] {
        let made = events.map { (event: $0, made: factory.make($0)) }
        // Concurrently: the broker acknowledges in batches, so N records cost about one round trip.
        let failures = await withTaskGroup(of: (Int, (any Error)?).self) { group in
            for (index, (_, item)) in made.enumerated() {
                let record: OutgoingRecord = switch item {
                case .job(let envelope): records.newJob(envelope)
                case .unrouted(let outcome), .skipped(let outcome): records.outcome(outcome)
                }
                group.addTask {
                    do {
                        try await sink.send(record)
                        return (index, nil)
                    } catch {
                        return (index, error)
                    }
                }
            }
            var failures: [Int: any Error] = [:]
            for await (index, error) in group {
                if let error { failures[index] = error }
            }
            return failures
        }
        if let first = failures.keys.min(), let error = failures[first] {
            var published: [Published] = []
            var unconfirmed: [Published] = []
            for (index, (event, item)) in made.enumerated() {
                if failures[index] == nil {
                    published.append(Published(made: item, event: event))
                } else {
                    unconfirmed.append(Published(made: item, event: event))
                }
            }
            logPublished(published)
            throw Incomplete(published: published, unconfirmed: unconfirmed, error: error)
        }
        let published = made.map { Published(made: $0.made, event: $0.event) }
        logPublished(published)
        return published
    }

    private func logPublished(_ published: [Published]) {
        for item in published {
            let event = item.event
            switch item.made {
            case .job(let envelope):
                logger.info("job published", metadata: [
                    "jobId": "\(envelope.jobId)", "bucket": "\(event.bucket)", "key": "\(event.key)",
                    "route": "\(envelope.target.route ?? "")", "spaceId": "\(envelope.target.spaceId)",
                ])
            case .unrouted(let outcome):
                logger.warning("no route for object; recorded as unrouted", metadata: [
                    "jobId": "\(outcome.jobId)", "bucket": "\(event.bucket)", "key": "\(event.key)",
                ])
            case .skipped(let outcome):
                logger.info("nothing to move; recorded as skipped", metadata: [
                    "jobId": "\(outcome.jobId)", "bucket": "\(event.bucket)", "key": "\(event.key)",
                    "reason": "\(outcome.message ?? "")",
                ])
            }
        }
    }
}
