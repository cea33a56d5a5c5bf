/// What one `baton demo` run does, from its flags.
struct DemoSettings: Sendable {
    /// Worker processes to start.
    var workers: Int
    /// Sample reports to upload and publish (1 to ``SampleReport/catalogue``'s count).
    var reports: Int
    /// Real time = Birst time × this.
    var timeScale: Double
    /// How long one slice may run.
    var sliceBudget: Duration
    /// Leave everything up after the summary, until Ctrl-C.
    var keepRunning: Bool
    /// How long the jobs may take, from the first publish to the last outcome.
    var timeout: Duration
    /// The stack directory, relative to the repository root.
    var stackDirectory: String
    /// How many of the first `uploadData` calls Birst applies and then answers a whole
    /// slice budget later, past the slice's deadline (a test of "a chunk in flight is not
    /// cut, and not sent twice").
    var overrunChunks: Int = 0

    /// How long a Birst publish runs, in Birst time: the original story's 40 minutes.
    static let publishBirstSeconds: Double = 40 * 60
    /// Birst's analysis of an upload, in Birst time.
    static let uploadBirstSeconds: Double = 2 * 60
    /// Default time scale: a 40-minute publish takes 20 s.
    static let defaultTimeScale: Double = 20 / publishBirstSeconds

    /// Real seconds a publish takes at this time scale.
    var publishSeconds: Double { Self.publishBirstSeconds * timeScale }
}
