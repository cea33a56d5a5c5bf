import StackTestSupport
import Birst
import BirstSimulator
import Curl
import Testing

@Suite("Transient failures, deadlines and hostile answers")
struct FaultInjectionTests {
    static func loadStatus(_ session: BirstSession, deadline: Deadline = .limit(20)) async throws(BirstError) -> LoadStatus {
        try await session.getLoadStatus(spaceID: "s", deadline: deadline)
    }

    @Test("Injected faults map to transient errors, and flipping them off at runtime heals the service")
    func transientFaults() async throws {
        try await SimulatorHarness.with { harness in
            let session = harness.session()
            try await session.login(deadline: .limit(20))
            let cases: [(FaultKnobs, Int?)] = [
                (FaultKnobs(transientFaultRate: 1), 500),
                (FaultKnobs(http500Rate: 1), 500),
                (FaultKnobs(dropConnectionRate: 1), nil),
            ]
            for (knobs, status) in cases {
                try await harness.setFaults(FaultPlan(operations: ["getLoadStatus": knobs]))
                do throws(BirstError) {
                    _ = try await Self.loadStatus(session)
                    Issue.record("expected a failure for \(knobs)")
                } catch {
                    #expect(error.kind == .transient, "\(knobs): \(error)")
                    #expect(error.isRetryable)
                    #expect(error.httpStatus == status)
                }
            }
            try await harness.setFaults(FaultPlan())
            #expect(try await Self.loadStatus(session).isAvailable)
            let injected = try await harness.inspect().calls.compactMap(\.injected)
            // libcurl retries once, on a fresh connection, a request whose reused connection
            // died without an answer: a dropped connection may be seen twice.
            #expect(Array(injected.prefix(3)) == ["transientFault", "http500", "dropConnection"])
            #expect(injected.dropFirst(2).allSatisfy { $0 == "dropConnection" })
        }
    }

    @Test("A hostile answer with a DOCTYPE and external entity is refused over HTTP")
    func hostileAnswer() async throws {
        try await SimulatorHarness.with { harness in
            let session = harness.session()
            try await session.login(deadline: .limit(20))
            try await harness.setFaults(FaultPlan(operations: ["getLoadStatus": FaultKnobs(hostileXMLRate: 1)]))
            do throws(BirstError) {
                _ = try await Self.loadStatus(session)
                Issue.record("expected a refusal")
            } catch {
                #expect(error.kind == .invalidResponse)
                #expect(error.message.contains("DOCTYPE"))
                #expect(!error.message.contains("root:"))
            }
        }
    }

    @Test("A call never outlives its deadline")
    func deadline() async throws {
        try await SimulatorHarness.with { harness in
            let session = harness.session()
            try await session.login(deadline: .limit(20))
            // The answer takes far longer than the deadline: a call that waited for it instead
            // of giving up at its deadline would take at least this long. (Not longer: the
            // simulator's stop waits for the delayed answer.)
            let latency = TestTime.seconds(5)
            try await harness.setFaults(FaultPlan(operations: ["getLoadStatus": FaultKnobs(latencySeconds: latency / .seconds(1))]))
            let started = ContinuousClock.now
            do throws(BirstError) {
                _ = try await Self.loadStatus(session, deadline: .after(.milliseconds(300)))
                Issue.record("expected the deadline to pass")
            } catch {
                #expect(error.kind == .deadlineExceeded)
                #expect(error.isRetryable)
            }
            #expect(ContinuousClock.now - started < latency / 2)

            // With no time left the call is not even started.
            do throws(BirstError) {
                _ = try await session.getJobStatus(jobToken: "0123456789abcdef0123456789abcdef", deadline: .after(.zero))
                Issue.record("expected the deadline to pass")
            } catch {
                #expect(error.kind == .deadlineExceeded)
                #expect(!error.mayHaveTakenEffect)
            }
            #expect(try await !harness.inspect().calls.contains { $0.operation == "getJobStatus" })
        }
    }
}
