/// What can change while the simulator runs (`PUT /admin/settings`): job durations and
/// outcomes, the login idle timeout and fault injection.
public struct SimulatorSettings: Codable, Sendable, Hashable {
    /// Upload analysis after `finishDataUpload`. Default 5 s, ends `None` (no errors).
    public var uploadJob: JobBehaviour
    /// Publish (processing). Default 60 s, ends `Complete`.
    public var publishJob: JobBehaviour
    /// A login token expires after this long unused (Birst time). Default 600 s.
    public var sessionIdleTimeoutSeconds: Double
    public var faults: FaultPlan

    public init(
        uploadJob: JobBehaviour = JobBehaviour(durationSeconds: 5, status: "None"),
        publishJob: JobBehaviour = JobBehaviour(durationSeconds: 60, status: "Complete"),
        sessionIdleTimeoutSeconds: Double = 600,
        faults: FaultPlan = FaultPlan()
    ) {
        self.uploadJob = uploadJob
        self.publishJob = publishJob
        self.sessionIdleTimeoutSeconds = sessionIdleTimeoutSeconds
        self.faults = faults
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SimulatorSettings()
        self.init(
            uploadJob: try c.value(.uploadJob, or: defaults.uploadJob),
            publishJob: try c.value(.publishJob, or: defaults.publishJob),
            sessionIdleTimeoutSeconds: try c.value(.sessionIdleTimeoutSeconds, or: defaults.sessionIdleTimeoutSeconds),
            faults: try c.value(.faults, or: defaults.faults))
    }
}
