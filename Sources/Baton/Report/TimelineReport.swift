import Foundation
import Kafka

/// What `baton report` draws, gathered from the three topics over a time range: each
/// job's slices (from its messages on the jobs topic), its outcome (the outcomes topic)
/// and the dead letters (the dead-letter topic, by `baton-error-kind`).
///
/// A job's message produced at `t` starts a slice of the stage it names; the slice lasts
/// until the job's next message (the hand-off), or its outcome's `finishedAt`. A message
/// with a `notBefore` in its future waits first: that part is drawn as a gap, and so is a
/// new job's time before its first slice (`firstSliceAt`).
public struct TimelineReport: Sendable {
    /// One drawn stretch of a job's life.
    public struct Segment: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case slice(JobStage)
            /// Waiting out a back-off (`notBefore`).
            case wait
            /// A new job waiting for its first slice (a free slot, a worker).
            case queued
        }
        public var kind: Kind
        public var start: Date
        public var end: Date
        /// Why the segment ended: the next message's `baton-handoff`, or the outcome.
        public var endedBy: String?
    }

    public struct Job: Sendable {
        public var jobId: String
        public var key: String?
        public var segments: [Segment]
        public var outcome: OutcomeRecord?
        public var start: Date
        public var end: Date
    }

    public struct DeadLetter: Sendable {
        public var jobId: String?
        public var kind: String
        public var reason: String
        public var at: Date?
    }

    public var since: Date
    public var until: Date
    public private(set) var jobs: [Job] = []
    public private(set) var outcomes: [OutcomeRecord] = []
    public private(set) var deadLetters: [DeadLetter] = []

    private struct Step {
        var at: Date
        var envelope: JobEnvelope
        var handoff: String?
    }

    private var steps: [String: [Step]] = [:]
    private var outcomeByJob: [String: OutcomeRecord] = [:]

    public init(since: Date, until: Date = Date()) {
        self.since = since
        self.until = until
    }

    /// A message of the jobs topic (a new job or a continuation). Unreadable ones are skipped.
    public mutating func addJobMessage(_ message: KafkaMessage) {
        guard case .success(let envelope) = JobEnvelopeCodec.decode(key: message.key, value: message.value) else { return }
        let at = message.timestamp ?? envelope.createdAt
        let handoff = message.header(JobHeaders.handoff).map { String(decoding: $0, as: UTF8.self) }
        steps[envelope.jobId, default: []].append(Step(at: at, envelope: envelope, handoff: handoff))
    }

    public mutating func addOutcome(_ message: KafkaMessage) {
        guard let record = try? OutcomeRecord.decode(message.value) else { return }
        outcomes.append(record)
        outcomeByJob[record.jobId] = record
    }

    public mutating func addDeadLetter(_ message: KafkaMessage) {
        func header(_ name: String) -> String? { message.header(name).map { String(decoding: $0, as: UTF8.self) } }
        deadLetters.append(DeadLetter(
            jobId: message.key.map { String(decoding: $0, as: UTF8.self) },
            kind: header(JobHeaders.errorKind) ?? "unknown",
            reason: header(JobHeaders.error) ?? "",
            at: message.timestamp))
    }

    /// Builds the jobs' timelines from what was added.
    public mutating func finish() {
        var jobs: [Job] = []
        for (jobId, raw) in steps {
            // One step per slice count: stale or duplicate copies are left out.
            var seen = Set<Int>()
            let ordered = raw.sorted { ($0.at, $0.envelope.slices) < ($1.at, $1.envelope.slices) }.filter { seen.insert($0.envelope.slices).inserted }
            let outcome = outcomeByJob[jobId]
            var segments: [Segment] = []
            for (index, step) in ordered.enumerated() {
                let next = index + 1 < ordered.count ? ordered[index + 1] : nil
                let end = next?.at ?? outcome?.timings.finishedAt ?? until
                guard end >= step.at else { continue }
                let endedBy = next.map { $0.handoff ?? "handed on" } ?? outcome?.status.rawValue
                var start = step.at
                // The first slice began at `firstSliceAt` (the later envelopes carry it).
                let firstSliceAt = index == 0 ? (next?.envelope.firstSliceAt ?? outcome?.timings.firstSliceAt) : nil
                if let firstSliceAt, firstSliceAt > start, firstSliceAt < end {
                    segments.append(Segment(kind: .queued, start: start, end: firstSliceAt, endedBy: nil))
                    start = firstSliceAt
                }
                if let notBefore = step.envelope.notBefore, notBefore > start {
                    let waitEnd = min(notBefore, end)
                    segments.append(Segment(kind: .wait, start: start, end: waitEnd, endedBy: nil))
                    start = waitEnd
                }
                if step.envelope.result == nil || end > start {
                    segments.append(Segment(kind: .slice(step.envelope.stage), start: start, end: end, endedBy: endedBy))
                }
            }
            let start = ordered.first?.at ?? outcome?.timings.createdAt ?? since
            let end = max(segments.last?.end ?? start, outcome?.timings.finishedAt ?? start)
            jobs.append(Job(jobId: jobId, key: ordered.first?.envelope.source.key, segments: segments, outcome: outcome, start: start, end: end))
        }
        // Jobs that only have an outcome here (unrouted, poison, or begun before `since`).
        for (jobId, outcome) in outcomeByJob where steps[jobId] == nil {
            jobs.append(Job(jobId: jobId, key: outcome.source?.key, segments: [], outcome: outcome,
                            start: outcome.timings.createdAt, end: outcome.timings.finishedAt))
        }
        self.jobs = jobs.sorted { ($0.start, $0.jobId) < ($1.start, $1.jobId) }
    }

    /// The slowest finished jobs, by total time (created to finished).
    public func slowest(_ count: Int) -> [OutcomeRecord] {
        Array(outcomes.sorted { $0.timings.totalSeconds > $1.timings.totalSeconds }.prefix(count))
    }

    /// Dead letters per kind, most frequent first.
    public func deadLettersByKind() -> [(kind: String, count: Int)] {
        Dictionary(grouping: deadLetters, by: \.kind).map { (kind: $0.key, count: $0.value.count) }.sorted { ($1.count, $0.kind) < ($0.count, $1.kind) }
    }
}
