import Foundation
import Hummingbird
import Logging
import Synchronization

/// A webhook endpoint that holds its first call unanswered until ``release()`` — a worker
/// stuck in its notify stage after the outcome was acknowledged, where a SIGKILL leaves
/// the message uncommitted — and answers every later call with 200.
final class HoldingWebhook: Sendable {
    private let state = Mutex<(calls: Int, released: Bool, waiting: [CheckedContinuation<Void, Never>])>((0, false, []))
    private let arrivals: AsyncStream<Int>
    private let arrived: AsyncStream<Int>.Continuation

    init() {
        (arrivals, arrived) = AsyncStream.makeStream(of: Int.self)
    }

    /// Waits until the endpoint has been called `count` times.
    func calls(_ count: Int) async {
        if state.withLock({ $0.calls }) >= count { return }
        for await call in arrivals where call >= count { return }
    }

    /// Answers the held call (so the server can stop).
    func release() {
        let waiting = state.withLock { state in
            state.released = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    private func hold() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                if !state.released { state.waiting.append(continuation) }
                return state.released
            }
            if open { continuation.resume() }
        }
    }

    func run(_ body: @escaping @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            var request = request
            _ = try await request.collectBody(upTo: 1 << 20)
            let call = self.state.withLock { $0.calls += 1; return $0.calls }
            self.arrived.yield(call)
            if call == 1 { await self.hold() }
            return Response(status: .ok)
        }
        var logger = Logger(label: "test.webhook")
        logger.logLevel = .warning
        defer { release() }
        try await withRunningServer(logger: logger, { [logger] onListening in
            Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: logger
            )
        }) { port in
            defer { self.release() }
            try await body("http://127.0.0.1:\(port)/hook")
        }
    }
}
