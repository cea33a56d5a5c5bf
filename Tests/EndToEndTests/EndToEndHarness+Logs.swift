import BatonTestSupport
import Foundation

extension ChildProcess {
    /// The worker's JSON log lines.
    var logLines: [[String: String]] {
        log.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object.mapValues { "\($0)" }
        }
    }

    func logged(_ message: String, jobId: String? = nil, where extra: [String: String] = [:]) -> Bool {
        logLines.contains { line in
            line["msg"] == message && (jobId == nil || line["jobId"] == jobId) && extra.allSatisfy { line[$0.key] == $0.value }
        }
    }

    /// Partitions this worker was last assigned (from its "partitions assigned/revoked" lines).
    var hasAssignment: Bool { logged("partitions assigned") }
}

import Baton

/// "jobId: status errorKind message" per outcome, for failure messages.
func describe(_ outcomes: [OutcomeRecord]) -> String {
    outcomes.map { "\($0.jobId): \($0.status.rawValue) \($0.errorKind ?? "") \($0.message ?? "") (\($0.slices) slices)" }.joined(separator: "; ")
}
