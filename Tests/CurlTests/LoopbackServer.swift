import StackTestSupport
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A TCP server on 127.0.0.1 (ephemeral port) built on plain POSIX sockets, for the tests
/// that need a peer misbehaving in a precise way or echoing what curl sent.
final class LoopbackServer: Sendable {
    /// The head and body of a request the server received.
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    enum Mode: Sendable {
        /// Listens but never accepts, with the accept queue filled: connection attempts hang
        /// in SYN-SENT, so only a connect timeout ends them.
        case blackhole
        /// Accepts connections and reads, but never answers.
        case silent
        /// Answers each request (one per connection) with the raw HTTP response text that
        /// `respond` returns, then closes the connection.
        case http(@Sendable (Request) -> String)
        /// Answers the first request on each connection with `200 OK` and keeps the
        /// connection alive; reads the second request on it and never answers: the
        /// server received a request on a reused connection and its answer is lost.
        case answerOnceThenSilent
    }

    let port: Int
    private let listener: Int32
    private let state = Mutex(State())
    private let finished = DispatchGroup()

    private struct State {
        var stopped = false
        var held: [Int32] = []
        var requests: [Request] = []
    }

    /// Every request the server read (modes that read requests).
    var receivedRequests: [Request] { state.withLock { $0.requests } }

    init(_ mode: Mode) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXFailure("socket") }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { close(fd); throw POSIXFailure("bind") }
        var backlog: Int32 = 64
        if case .blackhole = mode { backlog = 0 }
        guard listen(fd, backlog) == 0 else { close(fd); throw POSIXFailure("listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))

        switch mode {
        case .blackhole:
            // Fill the accept queue (backlog 0 admits one connection) with connections
            // nobody accepts; after that the kernel drops new SYNs.
            var fillers: [Int32] = []
            for _ in 0..<3 {
                let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                var target = address
                _ = withUnsafePointer(to: &target) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                fillers.append(client)
            }
            usleep(100_000)
            state.withLock { $0.held = fillers }
        case .silent, .http, .answerOnceThenSilent:
            finished.enter()
            let thread = Thread { [self] in
                self.acceptLoop(mode)
                self.finished.leave()
            }
            thread.start()
        }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Stops accepting, closes every connection and the listener. Idempotent.
    func stop() {
        let held: [Int32]? = state.withLock { state in
            if state.stopped { return nil }
            state.stopped = true
            let held = state.held
            state.held = []
            return held
        }
        guard let held else { return }
        _ = finished.wait(timeout: .now() + .milliseconds(Int(TestTime.seconds(5) / .milliseconds(1))))
        for fd in held { close(fd) }
        close(listener)
    }

    deinit { stop() }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func acceptLoop(_ mode: Mode) {
        while !isStopped {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            switch mode {
            case .blackhole, .silent:
                state.withLock { $0.held.append(connection) }
            case .http(let respond):
                if let request = readRequest(connection) {
                    let response = Array(respond(request).utf8)
                    _ = response.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                close(connection)
            case .answerOnceThenSilent:
                guard let first = readRequest(connection) else { close(connection); continue }
                state.withLock { $0.requests.append(first) }
                let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)
                _ = response.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if let second = readRequest(connection) { state.withLock { $0.requests.append(second) } }
                state.withLock { $0.held.append(connection) }
            }
        }
    }

    /// Reads one HTTP/1.1 request (head, then `Content-Length` bytes of body), bounded by
    /// a receive timeout of 5 s (scaled by ``TestTime``).
    private func readRequest(_ fd: Int32) -> Request? {
        var timeout = timeval(tv_sec: Int(TestTime.seconds(5).components.seconds) + 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        func fill() -> Bool {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            data += buffer[0..<count]
            return true
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            guard fill() else { return nil }
            if data.count >= 4 {
                headEnd = (0...(data.count - 4)).first { Array(data[$0..<$0 + 4]) == separator }
            }
        }
        let head = String(decoding: data[0..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var request = Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: [])
        let length = request.header("Content-Length").flatMap { Int($0) } ?? 0
        let bodyStart = headEnd! + 4
        while data.count < bodyStart + length {
            guard fill() else { return nil }
        }
        request.body = Array(data[bodyStart..<bodyStart + length])
        return request
    }

    /// A port on 127.0.0.1 where nothing listens (bound once, then released).
    static func closedPort() throws -> Int {
        let server = try LoopbackServer(.blackhole)
        let port = server.port
        server.stop()
        return port
    }
}

struct POSIXFailure: Error, CustomStringConvertible {
    var call: String
    var code = errno
    init(_ call: String) { self.call = call }
    var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}

/// A raw HTTP/1.1 response.
func httpResponse(status: String = "200 OK", headers: [String] = [], body: String) -> String {
    let head = (["HTTP/1.1 \(status)", "Content-Length: \(body.utf8.count)", "Connection: close"] + headers)
        .joined(separator: "\r\n")
    return head + "\r\n\r\n" + body
}
