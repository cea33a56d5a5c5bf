/// Why a selected record was not copied.
public enum ReplayRefusal: String, Error, Sendable, Hashable, CaseIterable, Codable {
    /// Already replayed `--max-replays` times.
    case maxReplays = "max-replays"
    /// A dead letter cut down to fit the broker (`baton-truncated`): not the job any more.
    case truncated
    /// The envelope options need the body, and it is not a readable job envelope.
    case unreadable
    /// The changed envelope is not valid (e.g. `--stage awaitUpload` without an upload token).
    case invalidRewrite = "invalid-rewrite"
}
