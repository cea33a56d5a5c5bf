import Logging
import Synchronization

/// Collects every log line (level, label, message and metadata) so a test can search it.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// Every line so far, one per log event.
    public var text: String { lines.withLock { $0.joined(separator: "\n") } }
    public var count: Int { lines.withLock { $0.count } }

    public func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// A logger at trace level whose lines go into this capture.
    public func logger(label: String = "test.capture") -> Logger {
        var logger = Logger(label: label) { label in CapturingLogHandler(label: label, capture: self) }
        logger.logLevel = .trace
        return logger
    }
}
