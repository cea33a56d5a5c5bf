import Synchronization

/// The simulated service's state and clock, shared by every request handler.
final class SimulatorEngine: Sendable {
    let configuration: SimulatorConfiguration
    private let started = ContinuousClock.now
    private let state: Mutex<SimulatorState>

    init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        self.state = Mutex(SimulatorState(configuration: configuration))
    }

    /// Runs `body` on the state with the current Birst time (seconds since start).
    func withState<T: Sendable, E: Error>(_ body: (inout SimulatorState, Double) throws(E) -> T) throws(E) -> T {
        try state.withLock { (state: inout SimulatorState) throws(E) -> T in
            try body(&state, now(offset: state.clockOffset))
        }
    }

    private func now(offset: Double) -> Double {
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        let elapsed = Double(seconds) + Double(attoseconds) / 1e18
        let scale = configuration.timeScale > 0 ? configuration.timeScale : 1
        return elapsed / scale + offset
    }

    var settings: SimulatorSettings {
        withState { state, _ in state.settings }
    }
}
