import BirstSimulator
import Curl
import Foundation
import Kafka
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Everything the demo started, registered as it starts, and stopped in one place —
/// after success, failure or Ctrl-C alike — in an order that lets each part finish
/// cleanly: workers first (they hand their jobs on through Kafka), then the demo's own
/// clients, the simulator, and last the stack.
final class DemoResources: Sendable {
    private struct State {
        var stack: LocalStack?
        var processFile: DemoProcessFile?
        var simulator: BirstSimulator?
        var admin: KafkaAdmin?
        var producer: KafkaProducer?
        var reader: ProgressReader?
        var http: CurlClient?
    }

    private let state = Mutex(State())
    let fleet = WorkerFleet()

    func register(stack: LocalStack, processFile: DemoProcessFile) {
        state.withLock { $0.stack = stack; $0.processFile = processFile }
    }
    func register(_ simulator: BirstSimulator) { state.withLock { $0.simulator = simulator } }
    func register(_ admin: KafkaAdmin) { state.withLock { $0.admin = admin } }
    func register(_ producer: KafkaProducer) { state.withLock { $0.producer = producer } }
    func register(_ reader: ProgressReader) { state.withLock { $0.reader = reader } }
    func register(_ http: CurlClient) { state.withLock { $0.http = http } }

    /// Stops everything registered, reporting each step on the console.
    func stopAll(console: DemoConsole) async {
        let parts = state.withLock { state in defer { state = State() }; return state }
        let endings = await fleet.stopAll()
        if !endings.isEmpty {
            console.step("stopping", Self.describe(endings))
        }
        await parts.reader?.close()
        await parts.producer?.shutdown(timeout: .seconds(5))
        parts.admin?.shutdown()
        parts.http?.shutdown()
        if let simulator = parts.simulator {
            await simulator.stop()
            console.step("", "Birst simulator stopped")
        }
        if let stack = parts.stack {
            if let problem = await stack.down() {
                console.step("", problem)
            } else {
                console.step("", "stack in \(stack.directory) stopped")
            }
        }
        parts.processFile?.remove()
    }

    /// `worker-1 exit 0 in 1.3 s, … (3 of 3 stopped gracefully)`
    static func describe(_ endings: [WorkerProcess.Ending]) -> String {
        let each = endings.map { ending -> String in
            let status = switch ending.status {
            case .exited(let code)?: "exit \(code)"
            case .signaled(let signal)? where signal == SIGKILL: "killed"
            case .signaled(let signal)?: "signal \(signal)"
            case nil: "gone"
            }
            return "\(ending.name) \(status) in \(Formatting.seconds(ending.seconds)) s"
        }
        let graceful = endings.filter(\.stoppedGracefully).count
        return each.joined(separator: ", ") + " (\(graceful) of \(endings.count) stopped gracefully)"
    }
}
