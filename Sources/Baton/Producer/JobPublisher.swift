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

    public func publish(_ events: [S3ObjectEvent]) async throws -> [Published] {
        let made = events.map { (event: $0, made: factory.make($0)) }
        // Concurrently: the broker acknowledges in batches, so N records cost about one round trip.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (_, item) in made {
                let record: OutgoingRecord = switch item {
                case .job(let envelope): records.newJob(envelope)
                case .unrouted(let outcome), .skipped(let outcome): records.outcome(outcome)
                }
                group.addTask { try await sink.send(record) }
            }
            try await group.waitForAll()
        }
        for (event, item) in made {
            switch item {
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
        return made.map { Published(made: $0.made, event: $0.event) }
    }
}
