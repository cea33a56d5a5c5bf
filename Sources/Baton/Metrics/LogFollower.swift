import Foundation

/// Reads log files line by line: once to their end, or, following (like `tail -F`), on
/// and on — across rotation (the path now names another file: the rest of the old one is
/// read, then the new one from its start) and truncation (read again from the start).
/// `-` is standard input. Lines are handed over whole; a last line without its line feed
/// waits for the rest (when following) or is handed over at the end.
public struct LogFollower: Sendable {
    public var paths: [String]
    public var follow: Bool
    /// How often a followed file is checked for new bytes and rotation.
    public var pollInterval: Duration

    public init(paths: [String], follow: Bool, pollInterval: Duration = .milliseconds(200)) {
        self.paths = paths.isEmpty ? ["-"] : paths
        self.follow = follow
        self.pollInterval = pollInterval
    }

    /// Calls `line` for every line (without its line feed) until the files end (or, when
    /// following, until the task is cancelled).
    public func run(_ line: @Sendable @escaping ([UInt8]) -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for path in paths {
                group.addTask { try await read(path, line) }
            }
            try await group.waitForAll()
        }
    }

    private final class Cursor {
        var handle: FileHandle?
        var inode: UInt64?
        var offset: UInt64 = 0
        var pending: [UInt8] = []
    }

    private func read(_ path: String, _ line: @Sendable @escaping ([UInt8]) -> Void) async throws {
        if path == "-" {
            let input = FileHandle.standardInput
            var pending: [UInt8] = []
            while true {
                let data = try await Task.detached { input.availableData }.value
                if data.isEmpty { break }
                pending.append(contentsOf: data)
                Self.split(&pending, line)
            }
            if !pending.isEmpty { line(pending) }
            return
        }
        let cursor = Cursor()
        if !follow {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
            }
            defer { try? handle.close() }
            while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
                cursor.pending.append(contentsOf: data)
                Self.split(&cursor.pending, line)
            }
            if !cursor.pending.isEmpty { line(cursor.pending) }
            return
        }
        while !Task.isCancelled {
            try drain(path, cursor, line)
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// Reads what is new at `path`, switching files on rotation and truncation.
    private func drain(_ path: String, _ cursor: Cursor, _ line: ([UInt8]) -> Void) throws {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let inode = (attributes?[.systemFileNumber] as? NSNumber)?.uint64Value
        let size = (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
        if let handle = cursor.handle, inode != cursor.inode || size < cursor.offset {
            // Rotated or truncated: finish the old file first (rotation keeps it readable).
            while let data = try? handle.read(upToCount: 1 << 20), !data.isEmpty {
                cursor.pending.append(contentsOf: data)
                Self.split(&cursor.pending, line)
            }
            if !cursor.pending.isEmpty { line(cursor.pending); cursor.pending = [] }
            try? handle.close()
            cursor.handle = nil
        }
        if cursor.handle == nil {
            guard inode != nil, let handle = FileHandle(forReadingAtPath: path) else { return }
            cursor.handle = handle
            cursor.inode = inode
            cursor.offset = 0
        }
        guard let handle = cursor.handle else { return }
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            cursor.offset += UInt64(data.count)
            cursor.pending.append(contentsOf: data)
            Self.split(&cursor.pending, line)
        }
    }

    /// Hands over every complete line in `buffer` and keeps the incomplete rest.
    static func split(_ buffer: inout [UInt8], _ line: ([UInt8]) -> Void) {
        var start = 0
        while let end = buffer[start...].firstIndex(of: 0x0A) {
            if end > start { line(Array(buffer[start..<end])) }
            start = end + 1
        }
        if start > 0 { buffer.removeFirst(start) }
    }
}
