import Baton
import Foundation

/// The last line of `baton publish`: how many jobs were published, how many objects no
/// route takes, what was skipped and why — so "nothing to do" differs from "nothing
/// happened" for a script as for a person.
enum PublishSummary {
    static func lines(_ published: [JobPublisher.Published], skipped: [(path: String, reason: String)], json: Bool) -> [String] {
        let jobs = published.filter { if case .job = $0.made { true } else { false } }.count
        let unrouted = published.count - jobs
        if json {
            return skipped.map { jsonLine(["status": "skipped", "path": $0.path, "reason": $0.reason]) }
                + [jsonLine(["summary": ["published": jobs, "unrouted": unrouted, "skipped": skipped.count]])]
        }
        var lines = skipped.map { "skipped \($0.path.isEmpty ? "event" : $0.path): \($0.reason)" }
        let counts = "\(jobs) job\(jobs == 1 ? "" : "s") published, \(unrouted) unrouted, \(skipped.count) skipped"
        if published.isEmpty && skipped.isEmpty {
            lines.append("\(counts): the input holds no object event, nothing to publish")
        } else {
            lines.append(counts)
        }
        return lines
    }

    /// The summary when the input is not a usable S3 event (`reason`): nothing published.
    static func unusable(reason: String, json: Bool) -> [String] {
        if json { return [jsonLine(["summary": ["published": 0, "unrouted": 0, "skipped": 0]])] }
        return ["0 jobs published, 0 unrouted, 0 skipped: the input is not a usable S3 event (\(reason)), nothing published"]
    }

    private static func jsonLine(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
