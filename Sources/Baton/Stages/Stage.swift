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
}
