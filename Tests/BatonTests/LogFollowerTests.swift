import Baton
import BatonTestSupport
import Foundation
import Synchronization
import Testing

@Suite("Following a log like tail -F")
struct LogFollowerTests {
    @Test("lines written later, a rotated file (renamed, new one created) and a truncated file are all read, each line once")
    func rotation() async throws {
        let directory = NSTemporaryDirectory() + uniqueName("follow")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/worker.log"
        try "one\ntwo\n".write(toFile: path, atomically: false, encoding: .utf8)
        let lines = Lines()
        let follower = LogFollower(paths: [path], follow: true, pollInterval: .milliseconds(20))
        let task = Task { try await follower.run { line in lines.append(String(decoding: line, as: UTF8.self)) } }
        defer { task.cancel() }
        func seen(_ count: Int) async throws {
            try await eventually(30, "\(count) lines") { lines.all.count >= count }
        }
        try await seen(2)

        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("thr".utf8))
        try handle.write(contentsOf: Data("ee\n".utf8))
        try await seen(3)

        // Rotation: the rest of the old file, then the new file from its start.
        try handle.write(contentsOf: Data("four\n".utf8))
        try handle.close()
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try "five\n".write(toFile: path, atomically: false, encoding: .utf8)
        try await seen(5)

        // Truncation (copytruncate): read again from the start.
        try "six\n".write(toFile: path, atomically: false, encoding: .utf8)
        try await seen(6)
        #expect(lines.all == ["one", "two", "three", "four", "five", "six"])
    }
}

private final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

@Suite("Following a directory of logs (one file per worker)")
struct LogFollowerDirectoryTests {
    @Test("every file in the directory is read with its name, also one that appears later; hidden files and rotated copies are not")
    func directory() async throws {
        let directory = NSTemporaryDirectory() + uniqueName("follow-dir")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "a1\n".write(toFile: directory + "/worker-a.emf", atomically: false, encoding: .utf8)
        try "old\n".write(toFile: directory + "/worker-a.emf.1", atomically: false, encoding: .utf8)
        try "hidden\n".write(toFile: directory + "/.partial", atomically: false, encoding: .utf8)
        let lines = SourcedLines()
        let follower = LogFollower(paths: [directory], follow: true, pollInterval: .milliseconds(20))
        let task = Task { try await follower.run(sourced: { source, line in lines.append(source, String(decoding: line, as: UTF8.self)) }) }
        defer { task.cancel() }
        try await eventually(30, "the first file's line") { lines.all.count >= 1 }
        try "b1\nb2\n".write(toFile: directory + "/worker-b.emf", atomically: false, encoding: .utf8)
        try await eventually(30, "the new file's lines") { lines.all.count >= 3 }
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/worker-a.emf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("a2\n".utf8))
        try handle.close()
        try await eventually(30, "the first file's second line") { lines.all.count >= 4 }
        #expect(lines.all.filter { $0.0 == "worker-a.emf" }.map(\.1) == ["a1", "a2"])
        #expect(lines.all.filter { $0.0 == "worker-b.emf" }.map(\.1) == ["b1", "b2"])
        #expect(lines.all.count == 4, "\(lines.all)")
    }
}

private final class SourcedLines: Sendable {
    private let lines = Mutex<[(String?, String)]>([])
    func append(_ source: String?, _ line: String) { lines.withLock { $0.append((source, line)) } }
    var all: [(String?, String)] { lines.withLock { $0 } }
}
