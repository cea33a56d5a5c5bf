@testable import Baton
import Logging
import Synchronization
import StackTestSupport
import Testing

/// `SliceContext.pause`, which every polling slice waits in: one shared timer thread wakes
/// all of them (issue 10), so these check that each pause still ends at its time, at a stop,
/// or at cancellation, and that a slice pausing again and again leaves nothing behind.
@Suite("Slice pauses")
struct SlicePauseTests {
    private func context(budget: Duration = .seconds(3600), stop: StopSignal = StopSignal()) -> SliceContext {
        SliceContext(slice: 1, budget: budget, safetyMargin: .seconds(1), stop: stop, logger: Logger(label: "test"))
    }

    @Test("a pause lasts its interval and then lets the slice go on")
    func lastsItsInterval() async {
        let context = context()
        let started = ContinuousClock.now
        #expect(await context.pause(for: .milliseconds(200)))
        #expect(ContinuousClock.now - started >= .milliseconds(200))
    }

    @Test("a pause that would end past the work deadline does not wait: the slice hands off")
    func pastTheDeadline() async {
        let context = context(budget: .seconds(2))
        let started = ContinuousClock.now
        #expect(!(await context.pause(for: .seconds(5))))
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("a stop wakes every pausing slice at once, long before their intervals end")
    func stopWakesAll() async throws {
        let stop = StopSignal()
        let interval = TestTime.seconds(600)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<1_000 {
                group.addTask { await context(stop: stop).pause(for: interval) }
            }
            // Without an event to await for "every task is pausing", a stop at any moment
            // must do: pauses that start after it return at once, the rest wake.
            stop.fire(.shutdown)
            var woken = 0
            for try await goOn in group {
                #expect(!goOn, "a stopped slice hands off")
                woken += 1
            }
            #expect(woken == 1_000)
        }
        #expect(ContinuousClock.now - started < interval)
    }

    @Test("cancelling the slice's task ends its pause, and every later pause, with 'hand off'")
    func cancellation() async {
        let interval = TestTime.seconds(600)
        let started = ContinuousClock.now
        let task = Task { () -> [Bool] in
            let context = context()
            var answers = [await context.pause(for: interval)]
            // A loop of pauses in a cancelled slice (its partition lost) once spun here,
            // logging a notice per turn, until the deadline: each must say "hand off".
            for _ in 0..<3 { answers.append(await context.pause(for: .milliseconds(1))) }
            return answers
        }
        task.cancel()
        #expect(await task.value == [false, false, false, false])
        #expect(ContinuousClock.now - started < interval)
    }

    @Test("pauses of different lengths, started together, each last their own interval")
    func severalLengths() async {
        let started = ContinuousClock.now
        let ended = EndLog()
        await withTaskGroup(of: Void.self) { group in
            for milliseconds in [600, 200, 400, 50] {
                group.addTask {
                    #expect(await context().pause(for: .milliseconds(milliseconds)))
                    ended.record(milliseconds, after: ContinuousClock.now - started)
                }
            }
        }
        #expect(ended.values.count == 4)
        for (milliseconds, elapsed) in ended.values {
            #expect(elapsed >= .milliseconds(milliseconds), "a pause of \(milliseconds) ms ended after \(elapsed)")
        }
    }

    @Test("a stop signal does not keep the actions of pauses that ended")
    func noPileUp() async {
        let stop = StopSignal()
        let context = context(stop: stop)
        for _ in 0..<20 { _ = await context.pause(for: .milliseconds(5)) }
        #expect(stop.pendingActions == 0)
    }
}

private final class EndLog: Sendable {
    private let storage = Mutex<[(Int, Duration)]>([])
    func record(_ milliseconds: Int, after elapsed: Duration) { storage.withLock { $0.append((milliseconds, elapsed)) } }
    var values: [(Int, Duration)] { storage.withLock { $0 } }
}
