import Birst
import Foundation

/// Polls a Birst job token until it completes or the slice must hand off; shared by
/// the two await stages.
struct BirstJobPoller: Sendable {
    var session: any BirstConnection
    var pollInterval: Duration
    /// The longest one poll may take (`birst.callTimeout`).
    var callTimeout: Duration
    var clock: any WallClock

    enum Poll {
        case complete(JobStatus)
        case handOff(nextPoll: Date?)
    }

    func poll(_ jobToken: String, context: SliceContext) async throws -> Poll {
        while true {
            let polledAt = ContinuousClock.now
            let deadline = Deadline(min(context.workDeadline, .now + callTimeout))
            if try await session.isJobComplete(jobToken: jobToken, deadline: deadline) {
                return .complete(try await session.getJobStatus(jobToken: jobToken, deadline: Deadline(min(context.workDeadline, .now + callTimeout))))
            }
            context.logger.debug("Birst job not complete yet")
            guard await context.pause(for: pollInterval) else {
                // Keep the poll cadence across slices: the next slice waits out the interval.
                let wait = pollInterval - (ContinuousClock.now - polledAt)
                return .handOff(nextPoll: context.isStopRequested || wait <= .zero ? nil : clock.after(wait))
            }
        }
    }
}

extension SliceEnvironment {
    /// Polls `jobToken` on the job's Birst server until it completes (its status) or
    /// the slice must hand off (nil, with `notBefore` keeping the poll cadence).
    func pollBirstJob(_ jobToken: String, of job: inout JobEnvelope, context: SliceContext) async throws -> JobStatus? {
        let result = try await withSession(&job) { session, _ in
            try await BirstJobPoller(session: session, pollInterval: birstSettings.pollInterval, callTimeout: birstSettings.callTimeout, clock: clock).poll(jobToken, context: context)
        }
        switch result {
        case .complete(let status):
            return status
        case .handOff(let nextPoll):
            job.notBefore = nextPoll
            return nil
        }
    }
}
