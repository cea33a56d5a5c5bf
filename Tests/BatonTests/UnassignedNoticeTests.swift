import Baton
import Testing

@Suite("A worker without partitions says so: after 30 s, then less and less often")
struct UnassignedNoticeTests {
    let start = ContinuousClock.now

    @Test("notices at 30 s, 60 s, 120 s without partitions; none while assigned; the wait restarts after an assignment")
    func schedule() {
        var notice = UnassignedNotice(first: .seconds(30), longest: .seconds(600), now: start)
        func observe(_ assigned: Bool, at seconds: Int) -> Duration? {
            notice.observe(assigned: assigned, now: start + .seconds(seconds))
        }
        #expect(observe(false, at: 25) == nil)
        #expect(observe(false, at: 30) == .seconds(30))
        #expect(observe(false, at: 35) == nil)
        #expect(observe(false, at: 60) == .seconds(60))
        #expect(observe(false, at: 100) == nil)
        #expect(observe(false, at: 120) == .seconds(120))
        #expect(observe(true, at: 125) == nil)
        #expect(observe(false, at: 130) == nil, "a new wait starts when the partitions go")
        #expect(observe(false, at: 155) == nil)
        #expect(observe(false, at: 160) == .seconds(30))
    }

    @Test("a standby worker is reminded at most every `longest`")
    func longestGap() {
        var notice = UnassignedNotice(first: .seconds(30), longest: .seconds(600), now: start)
        var notices: [Int] = []
        for second in stride(from: 0, through: 3_000, by: 5) {
            if notice.observe(assigned: false, now: start + .seconds(second)) != nil { notices.append(second) }
        }
        #expect(notices.prefix(5) == [30, 60, 120, 240, 480])
        let gaps = zip(notices.dropFirst(), notices).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 <= 600 }, "\(notices)")
    }
}
