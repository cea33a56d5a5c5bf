/// Why `baton jobs` could not answer.
public enum JobsError: Error, Sendable, CustomStringConvertible {
    case timedOut(String)

    public var description: String {
        switch self {
        case .timedOut(let text): text
        }
    }
}
