import Birst
import Foundation

/// One step of a job's relay (DESIGN.md §1). A stage runs until it moves the job on,
/// its slice's time is up, or it fails; it records progress in the envelope as it goes,
/// so whatever happens next continues from there.
protocol Stage: Sendable {
    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep
}

extension SliceContext {
    /// The deadline Birst and S3 calls must finish by.
    var callDeadline: Deadline { Deadline(workDeadline) }
}

/// Polls a Birst job token until it completes or the slice must hand off; shared by
/// the two await stages.
struct BirstJobPoller: Sendable {
    var session: BirstSession
    var pollInterval: Duration

    enum Poll {
        case complete(JobStatus)
        case handOff(nextPoll: Date?)
    }

    func poll(_ jobToken: String, context: SliceContext) async throws -> Poll {
        while true {
            let polledAt = ContinuousClock.now
            if try await session.isJobComplete(jobToken: jobToken, deadline: context.callDeadline) {
                return .complete(try await session.getJobStatus(jobToken: jobToken, deadline: context.callDeadline))
            }
            context.logger.debug("Birst job not complete yet")
            guard await context.pause(for: pollInterval) else {
                // Keep the poll cadence across slices: the next slice waits out the interval.
                let wait = pollInterval - (ContinuousClock.now - polledAt)
                return .handOff(nextPoll: context.isStopRequested || wait <= .zero ? nil : Date.after(wait))
            }
        }
    }
}

extension SliceEnvironment {
    /// Polls `jobToken` on the job's Birst server until it completes (its status) or
    /// the slice must hand off (nil, with `notBefore` keeping the poll cadence).
    func pollBirstJob(_ jobToken: String, of job: inout JobEnvelope, context: SliceContext) async throws -> JobStatus? {
        let session = await birst.session(affinityCookie: job.birst.affinityCookie)
        let poller = BirstJobPoller(session: session, pollInterval: birstSettings.pollInterval)
        let result = try await poller.poll(jobToken, context: context)
        job.birst.affinityCookie = await session.affinityCookie
        switch result {
        case .complete(let status):
            return status
        case .handOff(let nextPoll):
            job.notBefore = nextPoll
            return nil
        }
    }
}
