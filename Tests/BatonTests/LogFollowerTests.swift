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
            try await eventually(10, "\(count) lines") { lines.all.count >= count }
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
