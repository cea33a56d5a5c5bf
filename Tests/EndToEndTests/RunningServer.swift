import Logging
import ServiceLifecycle

/// Runs an HTTP server in-process for `body` and stops it gracefully afterwards, also
/// when `body` throws. `make` gets the callback that reports the bound port (port 0).
func withRunningServer<Server: Service>(
    logger: Logger,
    _ make: (@escaping @Sendable (Int) async -> Void) -> Server,
    _ body: (Int) async throws -> Void
) async throws {
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let group = ServiceGroup(services: [make { portSink.yield($0) }], logger: logger)
    let running = Task { try await group.run() }
    var iterator = ports.makeAsyncIterator()
    let port = await iterator.next() ?? 0
    do {
        try await body(port)
    } catch {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        throw error
    }
    await group.triggerGracefulShutdown()
    try await running.value
}
