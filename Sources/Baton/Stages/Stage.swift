import Birst

/// One step of a job's relay (DESIGN.md §1). A stage runs until it moves the job on,
/// its slice's time is up, or it fails; it records progress in the envelope as it goes,
/// so whatever happens next continues from there.
protocol Stage: Sendable {
    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep
}

extension SliceContext {
    /// The deadline Birst and S3 calls must finish by.
    var callDeadline: Deadline { Deadline(workDeadline) }

    /// The deadline of one Birst call: the slice's work deadline, and no later than one
    /// `birst.callTimeout` from now (the HTTP client's own limit is the longer of it and
    /// `birst.publishTimeout`).
    func callDeadline(_ birst: BirstSettings) -> Deadline {
        Deadline(min(workDeadline, .now + birst.callTimeout))
    }
}
