/// Why `baton replay` or `baton jobs` cannot start or could not finish.
public enum ReplayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No bound was given: a replay of a whole topic must be asked for with `--all`.
    case unbounded
    /// The source topic does not exist (or has none of the selected partitions).
    case unknownTopic(String)
    /// `--resume` text that is not `topic/partition:offset,…`, or names another topic.
    case invalidResume(String)
    /// A selection that contradicts itself (e.g. `--from-offset` without one `--partition`).
    case invalidSelection(String)
    /// The broker did not acknowledge a copy; the run stopped (positions say where).
    case copyFailed(String)

    public var description: String {
        switch self {
        case .unbounded:
            "refusing to replay a whole topic: give a bound (--since/--until, --partition with --from-offset/--to-offset, --job-id, --key-prefix, --error-kind, --resume) or --all"
        case .unknownTopic(let topic): "topic \(topic) does not exist"
        case .invalidResume(let text): "--resume: \(text)"
        case .invalidSelection(let text): text
        case .copyFailed(let text): "copy not acknowledged: \(text)"
        }
    }
}
