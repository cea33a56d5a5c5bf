import Foundation
import Synchronization

/// Where log lines go; a whole line is written at once so concurrent slices never
/// interleave inside a line.
public final class LogSink: Sendable {
    private let write: @Sendable (Data) -> Void

    public init(_ write: @escaping @Sendable (Data) -> Void) {
        self.write = write
    }

    public static let standardError = LogSink { data in
        FileHandle.standardError.write(data)
    }

    func write(_ data: Data) { write(data) }

    /// Writes one whole line (or several whole lines) at once.
    public func write(_ bytes: [UInt8]) { write(Data(bytes)) }

    /// Keeps every line in memory: for tests that assert what was (not) logged.
    public static func capturing() -> (LogSink, @Sendable () -> String) {
        let lines = Mutex<[String]>([])
        let sink = LogSink { data in
            lines.withLock { $0.append(String(decoding: data, as: UTF8.self)) }
        }
        return (sink, { lines.withLock { $0.joined() } })
    }
}
