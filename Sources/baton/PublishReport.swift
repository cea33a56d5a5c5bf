import Baton
import Foundation

/// One line per published object, for people or (with --json) for scripts.
enum PublishReport {
    static func line(_ item: JobPublisher.Published, json: Bool) -> String {
        let uri = "s3://\(item.event.bucket)/\(item.event.key)"
        switch (item.made, json) {
        case (.job(let job), false):
            return "job \(job.jobId)  \(uri) → space \(job.target.spaceId), source \(job.target.sourceName) (route \(job.target.route ?? "-"))"
        case (.unrouted(let outcome), false):
            return "unrouted \(outcome.jobId)  \(uri): no route matches"
        case (.job(let job), true):
            return jsonLine(["jobId": job.jobId, "status": "queued", "uri": uri, "spaceId": job.target.spaceId, "sourceName": job.target.sourceName])
        case (.unrouted(let outcome), true):
            return jsonLine(["jobId": outcome.jobId, "status": "unrouted", "uri": uri])
        case (.skipped(let outcome), false):
            return "skipped \(outcome.jobId)  \(uri): \(outcome.message ?? "")"
        case (.skipped(let outcome), true):
            return jsonLine(["jobId": outcome.jobId, "status": "skipped", "uri": uri, "reason": outcome.message ?? ""])
        }
    }

    /// What an interrupted or failed publish left behind, for standard error.
    static func incomplete(_ incomplete: JobPublisher.Incomplete, interruptedBy signal: String?) -> String {
        let total = incomplete.published.count + incomplete.unconfirmed.count
        let cause = signal.map { "interrupted by \($0)" } ?? "failed"
        let done = incomplete.published.isEmpty
            ? "nothing was published"
            : "\(incomplete.published.count) of \(total) published (listed on standard output)"
        let objects = incomplete.unconfirmed.map { "s3://\($0.event.bucket)/\($0.event.key)" }.joined(separator: ", ")
        return "baton publish: \(cause): \(done); not acknowledged by the broker: \(objects) (\(incomplete.error)). "
            + "Publishing them again is safe: a job published twice collapses into one."
    }

    private static func jsonLine(_ fields: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
