import Foundation
import S3Events

/// Turns S3 object events into new jobs, or into `unrouted` outcomes when no route
/// takes the object: an event is never silently dropped.
public struct JobFactory: Sendable {
    public enum Made: Sendable, Equatable {
        case job(JobEnvelope)
        case unrouted(OutcomeRecord)

        public var jobId: String {
            switch self {
            case .job(let envelope): envelope.jobId
            case .unrouted(let record): record.jobId
            }
        }
    }

    public var routes: RouteTable
    public var retries: Int

    public init(routes: RouteTable, retries: Int) {
        self.routes = routes
        self.retries = retries
    }

    public func make(_ event: S3ObjectEvent, now: Date = Date()) -> Made {
        let jobId = JobID.derive(for: event)
        let source = JobSource(
            bucket: event.bucket, key: event.key, size: event.size, eTag: event.eTag,
            versionId: event.versionId, sequencer: event.sequencer, eventTime: event.eventTime
        )
        guard let route = routes.route(bucket: event.bucket, key: event.key) else {
            return .unrouted(OutcomeRecord(
                unrouted: source, jobId: jobId, at: now,
                message: "no route matches s3://\(event.bucket)/\(event.key)"
            ))
        }
        return .job(JobEnvelope(jobId: jobId, createdAt: now, source: source, target: route.target(forKey: event.key), retriesLeft: retries))
    }
}
