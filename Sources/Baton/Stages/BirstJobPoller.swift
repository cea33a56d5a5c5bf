import Birst
import Foundation
import Logging

/// Polls a Birst job token until it completes or the slice must hand off; shared by
/// the two await stages.
struct BirstJobPoller: Sendable {
    var session: any BirstConnection
    var pollInterval: Duration
    /// The longest one poll may take (`birst.callTimeout`).
    var callTimeout: Duration
    var clock: any WallClock
    /// Where polls take turns (``SliceEnvironment/birstPolls``).
    var gate: PollGate

    enum Poll {
        case complete(JobStatus)
        case handOff(nextPoll: Date?)
    }

    func poll(_ jobToken: String, context: SliceContext) async throws -> Poll {
        while true {
            // Polls start one interval apart, counted from when each was due: the wait for a
            // turn and the answer's round trip come out of the pause, not on top of it. With
            // 20,000 jobs a quarter of a second of queueing per poll cost 5 % of the poll
            // rate (issue 10).
            let dueAt = ContinuousClock.now
            // A stop while waiting for a turn hands the job on unpolled: the next owner polls first.
            guard await gate.enter(stop: context.stop) else {
                try Task.checkCancellation()
                return .handOff(nextPoll: nil)
            }
            let session = session, workDeadline = context.workDeadline, callTimeout = callTimeout
            let deadline = Deadline(min(workDeadline, .now + callTimeout))
            let complete: JobStatus?
            do {
                defer { gate.leave() }
                complete = if try await Self.inChildTask({ try await session.isJobComplete(jobToken: jobToken, deadline: deadline) }) {
                    try await Self.inChildTask {
                        try await session.getJobStatus(jobToken: jobToken, deadline: Deadline(min(workDeadline, .now + callTimeout)))
                    }
                } else { nil }
            }
            if let complete { return .complete(complete) }
            Self.logNotComplete(context.logger)
            guard await context.pause(for: pollInterval - (ContinuousClock.now - dueAt)) else {
                // Keep the poll cadence across slices: the next slice waits out the interval.
                let wait = pollInterval - (ContinuousClock.now - dueAt)
                return .handOff(nextPoll: context.isStopRequested || wait <= .zero ? nil : clock.after(wait))
            }
        }
    }

    /// Not inlined: the log call's temporaries would widen ``poll(_:context:)``'s async
    /// frame, which every waiting job keeps (issue 10).
    @inline(never)
    private static func logNotComplete(_ logger: Logger) {
        logger.debug("Birst job not complete yet")
    }

    /// Runs one Birst call in a child task. A task keeps the memory of its deepest stack of
    /// async frames until it ends, and the SOAP exchange through libcurl is the deepest
    /// part of a polling slice: run in the slice's own task, it stayed allocated for as long
    /// as the slice waited between polls (about 7 KiB per waiting job, issue 10). A child
    /// task frees it when the call returns; cancelling the slice still cancels the call.
    private static func inChildTask<T: Sendable>(_ call: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask(operation: call)
            guard let result = try await group.next() else { throw CancellationError() }
            return result
        }
    }
}

extension SliceEnvironment {
    /// Polls `jobToken` on the job's Birst server until it completes (its status) or
    /// the slice must hand off (nil, with `notBefore` keeping the poll cadence).
    func pollBirstJob(_ jobToken: String, of job: inout JobEnvelope, context: SliceContext) async throws -> JobStatus? {
        let result = try await withSession(&job) { session, _ in
            try await BirstJobPoller(session: session, pollInterval: birstSettings.pollInterval, callTimeout: birstSettings.callTimeout, clock: clock, gate: birstPolls).poll(jobToken, context: context)
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
