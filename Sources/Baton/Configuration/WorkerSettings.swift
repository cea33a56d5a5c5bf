/// The slice engine's limits (DESIGN.md §1, §4).
public struct WorkerSettings: Sendable, Equatable {
    /// Slices in flight per worker process, 1 to ``maximumConcurrency``.
    public var concurrency: Int

    /// The most slices one worker may hold: the concurrency benchmark's largest size inside
    /// its memory target with every job handed on within the shutdown grace (20,000 jobs
    /// polling every 5 s: 458–463 MiB, 86–98 % of the poll rate depending on the machine's
    /// load, docs/benchmarks.md).
    public static let maximumConcurrency = 20_000
    /// How long one slice may run, like Lambda's timeout. Soft: checked between calls, so a
    /// slice may overrun it by at most one `birst.callTimeout`.
    public var sliceBudget: Duration
    /// A slice's loops stop this long before the budget ends, to hand the job on in time.
    public var safetyMargin: Duration
    /// `retriesLeft` of a new job.
    public var retries: Int
    public var maxJobAge: Duration
    public var maxSlices: Int
    public var shutdownGrace: Duration
    public var backoffInitial: Duration
    public var backoffMax: Duration
    /// While Birst or S3 is unusable for every job (login refused, unreachable, S3
    /// credentials rejected), the worker pauses and re-checks this often.
    public var environmentRecheck: Duration
    /// Benchmark only (`worker.benchmarkNoIO`, default false): every slice hands its job on
    /// at once, calling neither Birst nor S3, and spends a retry as a slice whose budget ran
    /// out does. What is left is the engine's own cost of a hop (consume, decode, republish,
    /// acknowledgement, commit), which `scripts/bench` compares with reference consumers.
    public var benchmarkNoIO: Bool = false

    static func load(_ settings: SettingsReader) throws -> WorkerSettings {
        let budget = try settings.duration("worker.sliceBudget", default: .seconds(300), minimum: .milliseconds(100))
        let margin = try settings.duration("worker.safetyMargin", default: .seconds(15))
        guard margin < budget else {
            // Two settings disagree, either of which the operator may have given: the
            // message says how to change each, not where one of them came from.
            throw ConfigurationError(
                key: "worker.safetyMargin",
                message: "\(ConfigDuration.format(margin)) must be shorter than worker.sliceBudget (\(ConfigDuration.format(budget))): "
                    + "lower the margin (--set worker.safetyMargin=…, \(SettingsReader.environmentName(of: "worker.safetyMargin")) or the file) "
                    + "or raise the budget",
                mentionsEnvironment: false)
        }
        let initial = try settings.duration("worker.backoffInitial", default: .seconds(5), minimum: .milliseconds(1))
        return WorkerSettings(
            concurrency: try settings.int("worker.concurrency", default: 64, range: 1...Self.maximumConcurrency),
            sliceBudget: budget,
            safetyMargin: margin,
            retries: try settings.int("worker.retries", default: 500, range: 0...1_000_000),
            maxJobAge: try settings.duration("worker.maxJobAge", default: .seconds(86_400), minimum: .seconds(1)),
            maxSlices: try settings.int("worker.maxSlices", default: 1000, range: 1...1_000_000),
            shutdownGrace: try settings.duration("worker.shutdownGrace", default: .seconds(10), minimum: .milliseconds(100)),
            backoffInitial: initial,
            backoffMax: try settings.duration("worker.backoffMax", default: .seconds(300), minimum: initial),
            environmentRecheck: try settings.duration("worker.environmentRecheck", default: .seconds(15), minimum: .milliseconds(50)),
            benchmarkNoIO: try settings.bool("worker.benchmarkNoIO", default: false)
        )
    }
}
