import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process for tests (a worker, a server), started with `posix_spawnp` and a
/// clean signal mask: `Foundation.Process` children inherit a mask that blocks SIGTERM.
/// Its output goes to `logPath` (or nowhere).
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let logPath: String?
    /// The exit status once reaped: `waitpid` answers only once.
    private let reaped = Mutex<Int32?>(nil)

    public struct SpawnError: Error, CustomStringConvertible {
        public var command: String
        public var code: Int32
        public var description: String { "cannot start \(command): \(String(cString: strerror(code)))" }
    }

    public init(_ arguments: [String], environment: [String: String] = [:], logPath: String? = nil) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let output = logPath ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        Self.markDescriptorsCloseOnExec()
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard status == 0 else { throw SpawnError(command: arguments[0], code: status) }
        self.pid = pid
        self.logPath = logPath
    }

    /// Children must not inherit this process's sockets: a connection a test closes
    /// would stay open in the child, and its peer would wait instead of seeing EOF.
    /// (glibc's closefrom file action is not visible to Swift.)
    private static func markDescriptorsCloseOnExec() {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in descriptors.compactMap({ Int32($0) }) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    public func signal(_ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    /// Waits (bounded, scaled by ``TestTime``) until the process catches `signal`, read from
    /// `SigCgt` in /proc/PID/status: from then on the program decides what the signal does.
    /// Before it (the first moments after exec, while the dynamic loader runs) no program
    /// can handle a signal. False if the process ended first.
    public func waitUntilCatching(_ signal: Int32, timeout: Duration) async throws -> Bool {
        let limit = TestTime.scaled(timeout)
        let deadline = ContinuousClock.now + limit
        let bit = UInt64(1) << UInt64(signal - 1)
        while ContinuousClock.now < deadline {
            if exitStatus() != nil { return false }
            if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
                let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16),
                mask & bit != 0
            {
                return true
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TimeoutError(limit: limit, what: "process \(pid) to catch signal \(signal)")
    }

    /// The exit status (or the negated signal number) if the process has ended; nil while
    /// it runs. Does not block.
    public func exitStatus() -> Int32? {
        reaped.withLock { reaped in
            if let reaped { return reaped }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let signal = status & 0x7f
                reaped = signal == 0 ? (status >> 8) & 0xff : -signal
            } else if result < 0 {
                reaped = -1
            }
            return reaped
        }
    }

    /// Waits for the process to exit (bounded by `timeout` on a quiet machine, scaled by
    /// ``TestTime``) and returns its exit status, or the negated signal number that ended it.
    public func wait(timeout: Duration) async throws -> Int32 {
        let limit = TestTime.scaled(timeout)
        let deadline = ContinuousClock.now + limit
        while true {
            if let status = exitStatus() { return status }
            guard ContinuousClock.now < deadline else {
                throw TimeoutError(limit: limit, what: "process \(pid) to exit")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Ends it with SIGKILL and reaps it.
    public func kill() {
        reaped.withLock { reaped in
            guard reaped == nil else { return }
            _ = Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            reaped = -SIGKILL
        }
    }

    public var log: String {
        guard let logPath else { return "" }
        return (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}

/// A loopback TCP port nothing listens on (bound, read, closed again).
public func closedLoopbackPort() -> Int {
    #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    precondition(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    precondition(bound)
    return Int(UInt16(bigEndian: address.sin_port))
}
