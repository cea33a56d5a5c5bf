import Foundation

/// Reads log files line by line: once to their end, or, following (like `tail -F`), on
/// and on — across rotation (the path now names another file: the rest of the old one is
/// read, then the new one from its start) and truncation (read again from the start).
/// `-` is standard input. A directory stands for the files in it (not hidden ones, nor
/// rotated copies named `….1`, `….2`, which are read through rotation); when following,
/// files that appear later are followed too — one per worker, e.g. in a shared volume.
/// Lines are handed over whole; a last line without its line feed waits for the rest
/// (when following) or is handed over at the end.
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
        try await run(sourced: { _, bytes in line(bytes) })
    }

    /// As ``run(_:)``, with each line's source: the file's name (without its directory)
    /// when the line comes from a file found in a directory, nil otherwise.
    public func run(sourced line: @Sendable @escaping (_ source: String?, _ line: [UInt8]) -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for path in paths {
                if path != "-", Self.isDirectory(path) {
                    group.addTask { try await readDirectory(path, line) }
                } else {
                    group.addTask { try await read(path) { line(nil, $0) } }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Reads every file in `directory`; when following, also those that appear later.
    private func readDirectory(_ directory: String, _ line: @Sendable @escaping (String?, [UInt8]) -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var started = Set<String>()
            repeat {
                for name in Self.files(in: directory) where !started.contains(name) {
                    started.insert(name)
                    let path = (directory as NSString).appendingPathComponent(name)
                    group.addTask { try await read(path) { line(name, $0) } }
                }
                if follow { try? await Task.sleep(for: pollInterval) }
            } while follow && !Task.isCancelled
            try await group.waitForAll()
        }
    }

    /// The files a directory stands for, sorted: regular, not hidden, not a rotated copy.
    static func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { name in
            guard !name.hasPrefix("."), !isDirectory((directory as NSString).appendingPathComponent(name)) else { return false }
            let suffix = name.split(separator: ".").last ?? ""
            return !(name.contains(".") && !suffix.isEmpty && suffix.allSatisfy(\.isNumber))
        }.sorted()
    }

    private static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
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
