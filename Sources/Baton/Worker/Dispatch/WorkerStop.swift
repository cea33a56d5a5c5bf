/// Why a worker stops by itself, with a non-zero exit.
public enum WorkerStop: Error, CustomStringConvertible {
    /// The producer failed for good (``ProducerFailure``).
    case producerFailed(String)

    public var description: String {
        switch self {
        case .producerFailed(let reason): reason
        }
    }
}
