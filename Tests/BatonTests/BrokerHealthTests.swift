import Baton
import Synchronization
import Testing

@Suite("BrokerHealth: what ingest's /healthz reports")
struct BrokerHealthTests {
    /// Counts probes (a class, so the probe closure can share it).
    final class Counter: Sendable {
        private let count = Mutex(0)
        func next() -> Int { count.withLock { $0 += 1; return $0 } }
        var value: Int { count.withLock { $0 } }
    }

    struct Down: Error, CustomStringConvertible {
        var description: String { "broker 127.0.0.1:1 unreachable" }
    }

    @Test("one probe serves callers within maxAge; a failing probe is reported with its reason")
    func cachesAndReports() async throws {
        let calls = Counter()
        let up = BrokerHealth(maxAge: .seconds(60)) { _ = calls.next() }
        async let first = up.current()
        async let second = up.current()
        #expect(await [first, second] == [.reachable, .reachable])
        #expect(await up.current() == .reachable)
        #expect(calls.value == 1, "concurrent and repeated callers share one check")

        let down = BrokerHealth(maxAge: .zero) { throw Down() }
        #expect(await down.current() == .unreachable("broker 127.0.0.1:1 unreachable"))
    }

    @Test("after maxAge the broker is asked again")
    func refreshes() async throws {
        let calls = Counter()
        let health = BrokerHealth(maxAge: .zero) {
            if calls.next() > 1 { throw Down() }
        }
        #expect(await health.current() == .reachable)
        #expect(await health.current() == .unreachable("broker 127.0.0.1:1 unreachable"))
    }
}
