import Baton
import Foundation

/// What the demo sees on the topics: a job handed on (a new job or a continuation on
/// the jobs topic), or a finished job (its record on the outcomes topic).
enum ProgressEvent: Sendable {
    /// `worker` and `handoff` are nil for a new job, as producers publish it.
    case handoff(JobEnvelope, worker: String?, handoff: String?, at: Date)
    case outcome(OutcomeRecord, at: Date)

    /// When it happened (the record's timestamp).
    var at: Date {
        switch self {
        case .handoff(_, _, _, let at), .outcome(_, let at): at
        }
    }
}
