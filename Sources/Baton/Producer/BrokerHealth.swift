import Kafka

/// Whether the broker answers, for ingest's `GET /healthz`: one cheap metadata request
/// with a short timeout, its answer reused for ``maxAge`` and shared by concurrent
/// callers, so probes neither pile up nor wait the 30 s a publish would.
public actor BrokerHealth {
    /// What the last check found.
    public enum State: Sendable, Equatable {
        case reachable
        /// The broker did not answer within the timeout, or answered with an error.
        case unreachable(String)
    }

    private let probe: @Sendable () async throws -> Void
    private let maxAge: Duration
    private var last: (at: ContinuousClock.Instant, state: State)?
    private var inFlight: Task<State, Never>?

    /// `probe` throws when the broker is not usable; its answer is kept for `maxAge`.
    public init(maxAge: Duration = .seconds(3), probe: @escaping @Sendable () async throws -> Void) {
        self.maxAge = maxAge
        self.probe = probe
    }

    /// Checks with a metadata request through `admin`, bounded by `timeout`.
    public init(admin: KafkaAdmin, servers: String, timeout: Duration = .seconds(2), maxAge: Duration = .seconds(3)) {
        self.init(maxAge: maxAge) {
            do {
                _ = try await admin.listTopics(timeout: timeout)
            } catch {
                throw BrokerUnreachable(servers: servers, error: "\(error)")
            }
        }
    }

    /// The broker's state, checked at most once per ``maxAge``.
    public func current() async -> State {
        if let last, ContinuousClock.now - last.at < maxAge { return last.state }
        if let inFlight { return await inFlight.value }
        let probe = self.probe
        let task = Task<State, Never> {
            do {
                try await probe()
                return .reachable
            } catch {
                return .unreachable("\(error)")
            }
        }
        inFlight = task
        let state = await task.value
        inFlight = nil
        last = (ContinuousClock.now, state)
        return state
    }
}
