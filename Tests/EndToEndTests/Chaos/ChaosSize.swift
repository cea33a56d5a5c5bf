import Foundation

/// How big the chaos scenarios are: `BATON_TEST_CHAOS=full` (`make chaos`) runs the sizes
/// issue 10 names; anything else (the default, inside `make test`) runs a short form
/// that keeps every fault but fewer jobs and shorter fault windows, so that it adds
/// about two minutes to the test run on a busy 2-core machine.
struct ChaosSize: Sendable {
    /// True for `BATON_TEST_CHAOS=full`.
    var full: Bool
    /// Scenario 1: jobs, and how long (seconds) one worker is SIGKILLed every 5 s.
    var killJobs: Int
    var killSeconds: Double
    /// Scenario 2: jobs in flight while the broker is frozen, and for how long (seconds,
    /// longer than the 6 s session timeout either way).
    var freezeJobs: Int
    var freezeSeconds: Double
    /// Scenario 3: jobs in flight during the rolling restart.
    var rollingJobs: Int
    /// Scenario 4: hostile records, and good jobs interleaved with them.
    var hostileRecords: Int
    var hostileGoodJobs: Int
    /// Scenario 5: jobs in flight while Birst is unreachable, then refuses the login.
    var environmentJobs: Int
    /// Scenario 6: jobs whose Birst answers are late past the call deadline at 20 %.
    var lateAnswerJobs: Int

    static let short = ChaosSize(
        full: false, killJobs: 16, killSeconds: 10, freezeJobs: 8, freezeSeconds: 8, rollingJobs: 12,
        hostileRecords: 100, hostileGoodJobs: 10, environmentJobs: 6, lateAnswerJobs: 8)

    /// Issue 10's sizes.
    static let full = ChaosSize(
        full: true, killJobs: 200, killSeconds: 60, freezeJobs: 40, freezeSeconds: 15, rollingJobs: 60,
        hostileRecords: 1000, hostileGoodJobs: 100, environmentJobs: 20, lateAnswerJobs: 40)

    /// From `BATON_TEST_CHAOS` (`full`, or anything else for the short form).
    static var current: ChaosSize {
        ProcessInfo.processInfo.environment["BATON_TEST_CHAOS"] == "full" ? .full : .short
    }
}
