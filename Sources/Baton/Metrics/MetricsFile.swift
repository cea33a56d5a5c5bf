import Foundation
import Synchronization

/// A copy of the worker's EMF metric lines in a file of bounded size (`log.metricsPath`,
/// `log.metricsMaxSize`), for a `baton metrics --follow FILE --serve …` sidecar that
/// shares the directory (a Kubernetes `emptyDir`). The lines still go to the log stream
/// as well; the file only spares the sidecar reading the container runtime's logs.
///
/// Lines are appended whole. Before a write would take the file past `maxSize` bytes it
/// is renamed to `<path>.1` (replacing the previous one) and a new file is started, so
/// the two together never hold much more than 2 × `maxSize` bytes; a follower (`baton
/// metrics --follow`, `tail -F`) reads the rest of the renamed file, then the new one.
/// A failed write (disk full, directory gone) drops the lines and tries again with the
/// next write: metrics must never stop the worker.
public final class MetricsFile: Sendable {
    /// The file's path.
    public let path: String
    /// Bytes after which the file is rotated.
    public let maxSize: Int
    private let state = Mutex(State())

    private struct State {
        var handle: FileHandle?
        var size = 0
    }

    /// Opens (or creates) the file at `path` for appending. Throws when it cannot be
    /// created, so a wrong path stops start-up instead of losing every metric.
    public init(path: String, maxSize: Int) throws {
        self.path = path
        self.maxSize = max(maxSize, 1)
        try state.withLock { state in
            let handle = try Self.open(path)
            state.size = Int(try handle.seekToEnd())
            state.handle = handle
        }
    }

    /// Appends `data` (whole lines), rotating first when it would not fit.
    public func write(_ data: Data) {
        state.withLock { state in
            if state.handle != nil, state.size > 0, state.size + data.count > maxSize {
                try? state.handle?.close()
                state.handle = nil
                try? FileManager.default.removeItem(atPath: path + ".1")
                try? FileManager.default.moveItem(atPath: path, toPath: path + ".1")
            }
            if state.handle == nil {
                state.handle = try? Self.open(path)
                state.size = Int((try? state.handle?.seekToEnd()) ?? 0)
            }
            guard let handle = state.handle else { return }
            do {
                try handle.write(contentsOf: data)
                state.size += data.count
            } catch {
                try? handle.close()
                state.handle = nil
            }
        }
    }

    /// A sink that writes every line to standard error (the log stream) and to this file.
    public var teeingStandardError: LogSink {
        LogSink { [self] data in
            FileHandle.standardError.write(data)
            write(data)
        }
    }

    private static func open(_ path: String) throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }
}
