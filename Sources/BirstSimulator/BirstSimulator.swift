import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A simulated Birst Command Web Service (see birst-api.md) on
/// `/CommandWebService.asmx`: several servers behind one endpoint with cookie affinity,
/// expiring login tokens, upload and publish jobs on a scalable clock, fault injection
/// and JSON admin endpoints. Embed it in tests with `start()`/`stop()`, or `run()` it
/// as a process (`baton birst-sim`).
public final class BirstSimulator: Sendable {
    public let configuration: SimulatorConfiguration
    private let engine: SimulatorEngine
    private let logger: Logger
    private let running = Mutex<(task: Task<Void, Never>, group: ServiceGroup, port: Int)?>(nil)

    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(), logger: Logger = Logger(label: "baton.birst-sim")) {
        self.configuration = configuration
        self.engine = SimulatorEngine(configuration: configuration)
        self.logger = logger
    }

    /// The bound port once `start()` returned.
    public var port: Int? { running.withLock { $0?.port } }
    /// `http://HOST:PORT` once started.
    public var baseURL: String? { port.map { "http://\(configuration.host):\($0)" } }
    /// `http://HOST:PORT/CommandWebService.asmx` once started.
    public var endpointURL: String? { baseURL.map { $0 + "/CommandWebService.asmx" } }

    /// Binds and serves in the background; returns the bound port (useful with port 0).
    @discardableResult
    public func start() async throws -> Int {
        let (stream, continuation) = AsyncThrowingStream<Int, any Error>.makeStream()
        let app = makeApplication { port in continuation.yield(port) }
        let group = ServiceGroup(services: [app], logger: logger)
        let task = Task {
            do {
                try await group.run()
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        for try await port in stream {
            running.withLock { $0 = (task, group, port) }
            logger.info("birst-sim listening", metadata: ["url": "http://\(configuration.host):\(port)/CommandWebService.asmx"])
            return port
        }
        throw StartFailure()
    }

    /// Stops a simulator started with `start()` gracefully (in-flight calls finish) and
    /// waits until it has closed.
    public func stop() async {
        guard let current = running.withLock({ value in defer { value = nil }; return value }) else { return }
        await current.group.triggerGracefulShutdown()
        await current.task.value
    }

    /// Serves in the foreground until SIGINT/SIGTERM (or task cancellation).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeApplication(onListening: onListening).runService()
    }

    // MARK: In-process equivalents of the admin endpoints

    public func inspect() -> Inspection {
        engine.withState { state, now in state.inspection(now: now) }
    }

    public var settings: SimulatorSettings { engine.settings }

    public func updateSettings(_ update: (inout SimulatorSettings) -> Void) {
        engine.withState { state, _ in update(&state.settings) }
    }

    /// Moves the Birst clock forward (jobs finish, login tokens expire) without waiting.
    public func advanceClock(bySeconds seconds: Double) {
        engine.withState { state, _ in state.clockOffset += seconds }
    }

    /// Changes (or adds) a user's password, as an administrator would: later logins with
    /// another password fail; sessions already logged in stay valid.
    public func setPassword(_ password: String, for username: String) {
        engine.withState { state, _ in state.configuration.users[username] = password }
    }

    /// Every simulated server forgets its login tokens, as after a restart.
    public func restartServers() {
        engine.withState { state, _ in state.restartServers() }
    }

    private func makeApplication(
        onListening: @escaping @Sendable (Int) async -> Void
    ) -> Application<RouterResponder<SimulatorRequestContext>> {
        let router = Router(context: SimulatorRequestContext.self)
        let soap = SOAPEndpoint(engine: engine, logger: logger)
        router.post("/CommandWebService.asmx") { request, context in
            try await soap.handle(request, context: context)
        }
        router.get("/CommandWebService.asmx") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: HelpPage.html)))
        }
        AdminEndpoints(engine: engine).register(on: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    private struct StartFailure: Error, CustomStringConvertible {
        var description: String { "birst-sim stopped before it was listening" }
    }
}
