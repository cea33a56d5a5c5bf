import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// DIR/processes: the demo's own pid and its workers' pids, so that a later demo can
/// tell a demo that still runs in the directory (and refuse to start) from remains of
/// one that was killed (whose orphaned workers it stops).
struct DemoProcessFile {
    var path: String

    struct AnotherDemo: Error, CustomStringConvertible {
        var pid: Int32
        var directory: String
        var description: String {
            "another `baton demo` (pid \(pid)) is using \(directory); stop it first (Ctrl-C in its terminal, or kill -TERM \(pid))"
        }
    }

    /// Refuses if a live demo owns the file; kills workers left behind by a dead one.
    /// Returns the names of the processes it stopped.
    func claim(directory: String) throws -> [String] {
        var stopped: [String] = []
        for (name, pid) in entries() where pid != getpid() {
            guard let command = Self.commandLine(of: pid) else { continue }
            if name == "demo", command.contains("demo") {
                throw AnotherDemo(pid: pid, directory: directory)
            }
            if name.hasPrefix("worker"), command.contains("worker"), command.contains(directory) {
                _ = kill(-pid, SIGKILL)
                _ = kill(pid, SIGKILL)
                stopped.append("\(name) (pid \(pid))")
            }
        }
        write([("demo", getpid())])
        return stopped
    }

    func add(_ name: String, pid: Int32) {
        write(entries() + [(name, pid)])
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    private func entries() -> [(String, Int32)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let pid = Int32(parts[1]), pid > 1 else { return nil }
            return (String(parts[0]), pid)
        }
    }

    private func write(_ entries: [(String, Int32)]) {
        let text = entries.map { "\($0.0) \($0.1)\n" }.joined()
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The process's command line (arguments joined by spaces), nil if it is gone.
    private static func commandLine(of pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
