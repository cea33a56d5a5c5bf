import Foundation
import S3Events

/// Turns S3 object events into new jobs, into `unrouted` outcomes when no route takes
/// the object, or into `skipped` outcomes when there is nothing to move (a folder marker,
/// or an empty object on a route that skips them): an event is never silently dropped.
public struct JobFactory: Sendable {
    /// What one event became.
    public enum Made: Sendable, Equatable {
        /// A new job for the jobs topic.
        case job(JobEnvelope)
        /// No route takes the object: an outcome `unrouted`, no job.
        case unrouted(OutcomeRecord)
        /// Nothing to move (folder marker, or an empty object the route skips): an
        /// outcome `skipped` whose message says why, no job.
        case skipped(OutcomeRecord)

        public var jobId: String {
            switch self {
            case .job(let envelope): envelope.jobId
            case .unrouted(let record), .skipped(let record): record.jobId
            }
        }

        /// The outcome recorded instead of a job (nil for a job).
        public var outcome: OutcomeRecord? {
            switch self {
            case .job: nil
            case .unrouted(let record), .skipped(let record): record
            }
        }
    }

    /// Why an object of `size` bytes under `key` is not worth a job, or nil. A folder
    /// marker (what the S3 console creates for "Create folder") is a zero-byte key ending
    /// in `/`; an unknown size with such a key counts as one too.
    public static func skipReason(key: String, size: Int?, emptyObjects: EmptyObjectPolicy) -> String? {
        if key.hasSuffix("/"), (size ?? 0) == 0 { return "folder marker (a zero-byte key ending in /): nothing to upload" }
        if size == 0, emptyObjects == .skip { return "empty object (0 bytes); the route's emptyObjects is skip" }
        return nil
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
        if event.key.hasSuffix("/"), let reason = Self.skipReason(key: event.key, size: event.size, emptyObjects: .skip) {
            return .skipped(OutcomeRecord(skipped: source, jobId: jobId, at: now, message: reason))
        }
        guard let route = routes.route(bucket: event.bucket, key: event.key) else {
            return .unrouted(OutcomeRecord(
                unrouted: source, jobId: jobId, at: now,
                message: "no route matches s3://\(event.bucket)/\(event.key)"
            ))
        }
        let target = route.target(forKey: event.key)
        if let reason = Self.skipReason(key: event.key, size: event.size, emptyObjects: route.emptyObjects) {
            var record = OutcomeRecord(skipped: source, jobId: jobId, at: now, message: reason)
            record.target = target
            return .skipped(record)
        }
        return .job(JobEnvelope(jobId: jobId, createdAt: now, source: source, target: target, retriesLeft: retries))
    }
}
