import Foundation
import Metrics

/// The worker's metrics: names, help texts and the one-line recording calls the slice
/// engine makes. Names follow Prometheus conventions (counters end in `_total`, durations
/// are seconds), so `baton metrics` exposes them as they are written into the EMF lines.
/// Dimensions are low-cardinality only: stage, result, outcome, route, reason, kind, operation,
/// fault, dependency, partition — never a job id or a token.
///
/// Without a bootstrapped backend (in-process test workers) every call is a no-op.
public enum WorkerMetrics {
    public struct Description: Sendable {
        public var name: String
        public var kind: MetricKind
        public var help: String
    }

    /// Every metric the worker writes, for `# HELP` lines and `--format table`.
    public static let catalogue: [Description] = [
        Description(name: slicesStarted, kind: .counter, help: "Slices started, by the job's stage at the start."),
        Description(name: slicesFinished, kind: .counter, help: "Slices ended, by stage at the start and result (a hand-off reason, finished, dead-lettered, abandoned)."),
        Description(name: sliceDuration, kind: .histogram, help: "Wall time of one slice in seconds, by stage at the start."),
        Description(name: birstCallDuration, kind: .histogram, help: "Birst SOAP round trips in seconds, by operation and fault kind (none when it succeeded)."),
        Description(name: jobs, kind: .counter, help: "Jobs ended, by outcome (completed, failed, dead-lettered, superseded, unconfirmed, unrouted, skipped) and route."),
        Description(name: jobDuration, kind: .histogram, help: "Jobs end to end in seconds (created to finished), by outcome and route."),
        Description(name: deadLetters, kind: .counter, help: "Messages sent to the dead-letter topic, by kind."),
        Description(name: continuations, kind: .counter, help: "Continuations produced (a job handed on in a new message), by reason."),
        Description(name: slicesInFlight, kind: .gauge, help: "Slices running now (holding a slot)."),
        Description(name: jobsWaiting, kind: .gauge, help: "Jobs waiting out a back-off (notBefore) without a slot."),
        Description(name: partitionsPaused, kind: .gauge, help: "Assigned partitions whose fetching is paused (slots full, environment fault, draining)."),
        Description(name: commitLag, kind: .gauge, help: "Messages admitted but not yet committed past (in flight or held)."),
        Description(name: consumerLag, kind: .gauge, help: "High watermark minus the committed offset, per jobs partition (sampled every few seconds)."),
        Description(name: producerErrors, kind: .counter, help: "Failed produce attempts (each retried unless fatal), by kind (retriable, fatal)."),
        Description(name: environmentHealthy, kind: .gauge, help: "1 while the dependency (birst, s3) is usable, 0 while it is failing."),
    ]

    public static let slicesStarted = "baton_slices_started_total"
    public static let slicesFinished = "baton_slices_finished_total"
    public static let sliceDuration = "baton_slice_duration_seconds"
    public static let birstCallDuration = "baton_birst_call_duration_seconds"
    public static let jobs = "baton_jobs_total"
    public static let jobDuration = "baton_job_duration_seconds"
    public static let deadLetters = "baton_dead_letters_total"
    public static let continuations = "baton_continuations_total"
    public static let slicesInFlight = "baton_slices_in_flight"
    public static let jobsWaiting = "baton_jobs_waiting"
    public static let partitionsPaused = "baton_partitions_paused"
    public static let commitLag = "baton_commit_lag_messages"
    public static let consumerLag = "baton_consumer_lag_messages"
    public static let producerErrors = "baton_producer_errors_total"
    public static let environmentHealthy = "baton_environment_healthy"

    // MARK: Recording

    static func sliceStarted(stage: JobStage) {
        hop.started[stage]?.increment()
    }

    /// `started` is the slice's start on the continuous clock.
    static func sliceEnded(stage: JobStage, result: String, started: ContinuousClock.Instant) {
        if let counter = hop.ended[stage]?[result] {
            counter.increment()
        } else {
            Counter(label: slicesFinished, dimensions: [("stage", stage.rawValue), ("result", result)]).increment()
        }
        hop.durations[stage]?.record(duration: ContinuousClock.now - started)
    }

    static func handedOn(reason: HandoffReason) {
        hop.handedOn[reason]?.increment()
    }

    static func deadLettered(kind: String) {
        Counter(label: deadLetters, dimensions: [("kind", kind)]).increment()
    }

    /// `route` is the routing rule's name (from the configuration: low-cardinality), or `none`.
    static func jobEnded(outcome: String, route: String?, seconds: Double?) {
        let dimensions = [("outcome", outcome), ("route", route ?? "none")]
        Counter(label: jobs, dimensions: dimensions).increment()
        // No trap on `Int64` nanoseconds: envelope times are 1970-2199
        // (``JobEnvelopeCodec/timeRange``), so a job's age stays far below ~292 years.
        if let seconds, seconds >= 0 {
            Metrics.Timer(label: jobDuration, dimensions: dimensions).recordNanoseconds(Int64(seconds * 1e9))
        }
    }

    static func producerError(fatal: Bool) {
        Counter(label: producerErrors, dimensions: [("kind", fatal ? "fatal" : "retriable")]).increment()
    }

    static func environment(_ dependency: String, healthy: Bool) {
        Gauge(label: environmentHealthy, dimensions: [("dependency", dependency)]).record(healthy ? 1 : 0)
    }

    /// Every dependency at once: before and after the worker's start-up check.
    static func environment(healthy: Bool) {
        for dependency in [EnvironmentFault.Dependency.birst, .s3] { environment(dependency.rawValue, healthy: healthy) }
    }

    /// The dispatcher's gauges: cheap reads of counts its state keeps.
    struct DispatcherGauges: Equatable {
        var slicesInFlight: Int
        var jobsWaiting: Int
        var partitionsPaused: Int
        var commitLag: Int

        init(_ state: SliceDispatcherState) {
            slicesInFlight = state.slotsInUse
            jobsWaiting = state.waitingCount
            partitionsPaused = state.pauseReasons.isEmpty ? 0 : state.owned.count
            commitLag = state.inFlight + state.held
        }
    }

    /// The dispatcher's state after an event; `previous` (what the last call recorded)
    /// leaves unchanged gauges alone: a gauge keeps its latest value until the next flush.
    static func dispatcher(_ gauges: DispatcherGauges, previous: DispatcherGauges?) {
        if gauges.slicesInFlight != previous?.slicesInFlight { hop.slicesInFlight.record(gauges.slicesInFlight) }
        if gauges.jobsWaiting != previous?.jobsWaiting { hop.jobsWaiting.record(gauges.jobsWaiting) }
        if gauges.partitionsPaused != previous?.partitionsPaused { hop.partitionsPaused.record(gauges.partitionsPaused) }
        if gauges.commitLag != previous?.commitLag { hop.commitLag.record(gauges.commitLag) }
    }

    static func recordConsumerLag(_ lag: [Int32: Int64]) {
        for (partition, messages) in lag {
            Gauge(label: consumerLag, dimensions: [("partition", String(partition))]).record(messages)
        }
    }
}

extension WorkerMetrics {
    /// The handlers of the metrics every hop records, made once. Making them per call (the
    /// factory's look-up of label and dimensions, twice per record) was a few percent of a
    /// hop's CPU (docs/benchmarks.md, "The hop"). Made on first use, which in `baton worker`
    /// comes after ``MetricsBootstrap``; a process that never bootstraps (in-process test
    /// workers) gets no-op handlers, as it did before.
    private final class HopHandlers: Sendable {
        let started: [JobStage: Counter]
        /// By stage at the start, then by ``result(_:)``.
        let ended: [JobStage: [String: Counter]]
        let durations: [JobStage: Metrics.Timer]
        let handedOn: [HandoffReason: Counter]
        let slicesInFlight = Gauge(label: WorkerMetrics.slicesInFlight)
        let jobsWaiting = Gauge(label: WorkerMetrics.jobsWaiting)
        let partitionsPaused = Gauge(label: WorkerMetrics.partitionsPaused)
        let commitLag = Gauge(label: WorkerMetrics.commitLag)

        init() {
            let stages = JobStage.allCases
            started = Dictionary(uniqueKeysWithValues: stages.map { ($0, Counter(label: slicesStarted, dimensions: [("stage", $0.rawValue)])) })
            let results = [SliceDispatcherState.SliceEnd.handedOn, .handedBack, .finished, .abandoned, .producerFailed("")].map(result)
            ended = Dictionary(uniqueKeysWithValues: stages.map { stage in
                (stage, Dictionary(uniqueKeysWithValues: results.map {
                    ($0, Counter(label: slicesFinished, dimensions: [("stage", stage.rawValue), ("result", $0)]))
                }))
            })
            durations = Dictionary(uniqueKeysWithValues: stages.map { ($0, Metrics.Timer(label: sliceDuration, dimensions: [("stage", $0.rawValue)])) })
            handedOn = Dictionary(uniqueKeysWithValues: HandoffReason.allCases.map {
                ($0, Counter(label: continuations, dimensions: [("reason", $0.rawValue)]))
            })
        }
    }

    private static let hop = HopHandlers()

    /// The `result` dimension of a slice that ended.
    static func result(_ end: SliceDispatcherState.SliceEnd) -> String {
        switch end {
        case .handedOn: "handedOn"
        case .handedBack: "handedBack"
        case .finished: "finished"
        case .abandoned: "abandoned"
        case .producerFailed: "producerFailed"
        }
    }
}
