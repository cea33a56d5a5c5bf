@testable import Baton
import Birst
import Foundation
import Kafka
import Logging

/// One slice environment of fakes — a recording sink, a scripted Birst, objects in
/// memory, a recording notifier, a fixed clock — and the jobs and messages the unit
/// tests of the runner and the stages feed it.
struct SliceBench {
    let sink = RecordingSink()
    let birst = ScriptedBirst()
    let s3 = MemoryObjectStore()
    let notifier: RecordingNotifier
    let clock = FixedClock()
    let configuration: BatonConfiguration
    let env: SliceEnvironment

    /// `settings` override the defaults, as `--set` does (`worker.sliceBudget`, …).
    init(_ settings: [String: String] = [:], notifier: RecordingNotifier = RecordingNotifier()) async throws {
        var flags = ["birst.chunkSize": "1024", "birst.pollInterval": "20ms", "worker.backoffInitial": "4s", "worker.retries": "10"]
        flags.merge(settings) { $1 }
        configuration = try await BatonConfiguration.load(ConfigSources(flags: flags, environment: [:], usesDefaultFile: false))
        self.notifier = notifier
        let quiet = Logger(label: "baton.test") { _ in SwiftLogNoOpLogHandler() }
        env = SliceEnvironment(
            worker: configuration.worker, birstSettings: configuration.birst, notifySettings: configuration.notify,
            records: JobRecords(topics: configuration.topics, workerID: "unit-1"), sink: sink, s3: s3, birst: birst,
            notifier: notifier, health: EnvironmentHealth(recheck: .seconds(3600), logger: quiet) { $0 }, clock: clock, logger: quiet
        )
    }

    var topics: TopicSettings { configuration.topics }
    var runner: SliceRunner { SliceRunner(env: env) }

    /// A 3000-byte report in S3 and a new job for it, created an hour before the clock.
    func job(stage: JobStage = .upload, size: Int = 3000, retriesLeft: Int = 10) -> JobEnvelope {
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        s3.put("reports", "daily/2026-11-27.csv", bytes, eTag: "etag-1")
        var job = JobEnvelope(
            jobId: "job-\(stage.rawValue)", createdAt: clock.now.addingTimeInterval(-3600),
            source: JobSource(bucket: "reports", key: "daily/2026-11-27.csv", size: size, eTag: "\"etag-1\""),
            target: JobTarget(spaceId: "space-1", sourceName: "daily"), retriesLeft: retriesLeft)
        job.stage = stage
        return job
    }

    /// `job` as the message a worker fetches from the jobs topic.
    func message(_ job: JobEnvelope, offset: Int64 = 41) -> KafkaMessage {
        KafkaMessage(topic: topics.jobs.name, partition: 0, offset: offset, key: Array(job.jobId.utf8), value: JobEnvelopeCodec.encode(job))
    }

    /// Runs one slice of `job` as the dispatcher would.
    func run(_ job: JobEnvelope, stop: StopSignal = StopSignal(), mayBeRedelivered: Bool = false) async throws -> SliceDispatcherState.SliceEnd {
        try await runner.process(message(job), decoded: .success(job), stop: stop, mayBeRedelivered: mayBeRedelivered)
    }

    /// The envelopes of the continuations produced so far.
    func continuations() throws -> [JobEnvelope] {
        try sink.records(on: topics.jobs.name).map { try JobEnvelopeCodec.decode(key: $0.key, value: $0.value).get() }
    }

    func outcomes() throws -> [OutcomeRecord] {
        try sink.records(on: topics.outcomes.name).map { try OutcomeRecord.decode($0.value) }
    }

    /// A context for calling a stage directly.
    func context(budget: Duration = .seconds(30), margin: Duration = .zero, stop: StopSignal = StopSignal(), mayBeRedelivered: Bool = false) -> SliceContext {
        var context = SliceContext(slice: 1, budget: budget, safetyMargin: margin, stop: stop, logger: env.logger)
        context.mayBeRedelivered = mayBeRedelivered
        // As the runner records it: a continuation on the jobs topic, acknowledged or thrown.
        context.recordPublishIntent = { [sink, records = env.records, topic = topics.jobs.name] intent in
            let input = KafkaMessage(topic: topic, partition: 0, offset: 41, key: Array(intent.jobId.utf8), value: JobEnvelopeCodec.encode(intent))
            try await sink.send(records.continuation(intent, input: input, reason: .publishIntent))
        }
        return context
    }

    /// Runs `stage` on `job` and returns how it failed (nil: it did not throw, or threw
    /// something other than a ``SliceFailure``, which the test then sees in `job`).
    func failure(of stage: some Stage, _ job: inout JobEnvelope, context: SliceContext? = nil) async -> SliceFailure? {
        do {
            _ = try await stage.run(&job, context: context ?? self.context())
            return nil
        } catch {
            return error as? SliceFailure
        }
    }
}

extension SliceFailure {
    /// The kind a transient failure or a dead letter records in `lastError.kind`.
    var kind: String? {
        switch self {
        case .transient(let kind, _): kind.rawValue
        case .deadLetter(let kind, _): kind.rawValue
        case .outOfTime, .environment: nil
        }
    }
}
