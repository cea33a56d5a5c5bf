/// What a stage reports back to the slice loop.
public enum StageStep: Sendable, Equatable {
    /// The job moved to its next stage; the slice continues if time allows.
    case next
    /// The slice ends here; the job is republished with its progress.
    case handOff(HandoffReason)
    /// Nothing more to do: the job is finished.
    case finished
}
