import Baton
import Foundation
import Kafka
import Testing

@Suite("Replay: selection, copies and positions, without a broker")
struct ReplayRewriteTests {
    static let envelope = """
    {"version":1,"jobId":"j-1","createdAt":"2026-01-01T10:00:00Z",
     "source":{"bucket":"reports","key":"daily/a.csv","size":10},
     "target":{"spaceId":"s-1","sourceName":"daily","subgroups":[]},
     "stage":"awaitPublish","retriesLeft":0,"slices":40,"notBefore":"2026-01-01T11:00:00Z",
     "birst":{"uploadToken":"u","uploadedBytes":10,"publishToken":"p"},
     "lastError":{"kind":"retries-exhausted","message":"no retries left","at":"2026-01-01T11:00:00Z"},
     "addedByNewerProducer":{"priority":7}}
    """

    static func deadLetter(replays: Int? = nil, offset: Int64 = 42, extra: [KafkaHeader] = []) -> KafkaMessage {
        var headers = [
            KafkaHeader(name: JobHeaders.attempt, string: "41"),
            KafkaHeader(name: JobHeaders.origin, string: "baton.jobs/2/7"),
            KafkaHeader(name: JobHeaders.errorKind, string: "retries-exhausted"),
            KafkaHeader(name: JobHeaders.error, string: "no retries left"),
            KafkaHeader(name: JobHeaders.deadLetterSource, string: "baton.jobs/2/99"),
            KafkaHeader(name: JobHeaders.worker, string: "w-1"),
        ]
        if let replays { headers.append(KafkaHeader(name: JobHeaders.replays, string: String(replays))) }
        return KafkaMessage(
            topic: "baton.jobs.dlq", partition: 1, offset: offset, key: Array("j-1".utf8), value: Array(envelope.utf8),
            headers: headers + extra, timestamp: Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test("--stage publish clears the publish intent of an unconfirmed job, so the replay publishes; --stage notify keeps it")
    func stagePublishClearsIntent() throws {
        var job = try JobEnvelopeCodec.decode(key: Array("j-1".utf8), value: Array(Self.envelope.utf8)).get()
        job.stage = .publish
        job.birst.publishToken = nil
        job.birst.publishRequestedAt = Date(timeIntervalSince1970: 1_800_000_000)
        var kept = job
        ReplayRewrite(stage: .notify).apply(to: &kept)
        #expect(kept.birst.publishRequestedAt != nil)
        ReplayRewrite(stage: .publish).apply(to: &job)
        #expect(job.birst.publishRequestedAt == nil && job.stage == .publish)
    }

    @Test("a copy without envelope options: value bytes untouched, replay headers added, dead-letter headers dropped, others kept")
    func fastCopy() throws {
        let record = try ReplayRewrite().copy(Self.deadLetter(replays: 1), to: "baton.jobs", runID: "run-1").get()
        #expect(record.topic == "baton.jobs")
        #expect(record.key == Array("j-1".utf8))
        #expect(record.value == Array(Self.envelope.utf8))
        let names = record.headers.map(\.name)
        #expect(!names.contains(JobHeaders.errorKind) && !names.contains(JobHeaders.error) && !names.contains(JobHeaders.deadLetterSource))
        #expect(names.filter { $0 == JobHeaders.replays }.count == 1)
        func value(_ name: String) -> String? { record.headers.last { $0.name == name }?.stringValue }
        #expect(value(JobHeaders.replays) == "2")
        #expect(value(JobHeaders.replayedFrom) == "baton.jobs.dlq/1/42")
        #expect(value(JobHeaders.replayRun) == "run-1")
        #expect(value(JobHeaders.origin) == "baton.jobs/2/7")
        #expect(value(JobHeaders.worker) == "w-1")
    }

    @Test("refuses records replayed --max-replays times and truncated dead letters")
    func refusals() {
        let rewrite = ReplayRewrite(maxReplays: 2)
        #expect(throws: Never.self) { try rewrite.copy(Self.deadLetter(replays: 1), to: "t", runID: "r").get() }
        #expect(rewrite.copy(Self.deadLetter(replays: 2), to: "t", runID: "r").failureValue == .maxReplays)
        let truncated = Self.deadLetter(extra: [KafkaHeader(name: JobHeaders.truncated, string: "key 1 bytes, value 9 bytes")])
        #expect(rewrite.copy(truncated, to: "t", runID: "r").failureValue == .truncated)
        let poison = KafkaMessage(topic: "d", partition: 0, offset: 0, key: Array("x".utf8), value: Array("{".utf8))
        #expect(ReplayRewrite(resetRetries: 3).copy(poison, to: "t", runID: "r").failureValue == .unreadable)
        #expect(ReplayRewrite(stage: .awaitUpload).copy(
            KafkaMessage(topic: "d", partition: 0, offset: 0, key: Array("j-1".utf8),
                         value: Array(Self.envelope.replacingOccurrences(of: "\"uploadToken\":\"u\",", with: "").utf8)),
            to: "t", runID: "r").failureValue == .invalidRewrite)
    }

    @Test("envelope options: retries, age, slices and stage reset; lastError and notBefore cleared; unknown fields kept")
    func envelopeOptions() throws {
        let now = Date(timeIntervalSince1970: 1_900_000_000)
        let rewrite = ReplayRewrite(resetRetries: 12, stage: .publish, resetAge: true, resetSlices: true)
        let record = try rewrite.copy(Self.deadLetter(), to: "baton.jobs", runID: "r", now: now).get()
        let job = try JobEnvelopeCodec.decode(key: record.key, value: record.value).get()
        #expect(job.retriesLeft == 12)
        #expect(job.stage == .publish)
        #expect(job.slices == 0)
        #expect(job.createdAt == now)
        #expect(job.lastError == nil)
        #expect(job.notBefore == nil)
        #expect(job.unknownFields["addedByNewerProducer"] == .object(["priority": .int(7)]))
        let original = try JobEnvelopeCodec.decode(key: nil, value: Array(Self.envelope.utf8)).get()
        #expect(job.unknownFields["replayedCreatedAt"] == .string(Timestamp.format(original.createdAt)))
        #expect(record.headers.last { $0.name == JobHeaders.retriesLeft }?.stringValue == "12")
        #expect(record.headers.last { $0.name == JobHeaders.replays }?.stringValue == "1")
    }

    @Test("selection: a bound is required; offsets need one partition; records match by offset, time, key and error kind")
    func selection() throws {
        #expect(throws: ReplayError.unbounded) { try ReplaySelection(partitions: [0]).validate(resuming: false) }
        try ReplaySelection(partitions: [0]).validate(resuming: true)
        try ReplaySelection(all: true).validate(resuming: false)
        #expect(throws: ReplayError.self) { try ReplaySelection(fromOffset: 3).validate(resuming: false) }
        let message = Self.deadLetter()
        #expect(ReplaySelection(errorKinds: ["retries-exhausted"]).matches(message))
        #expect(!ReplaySelection(errorKinds: ["too-old"]).matches(message))
        #expect(ReplaySelection(keyPrefix: "j-").matches(message))
        #expect(!ReplaySelection(keyPrefix: "k").matches(message))
        #expect(ReplaySelection(jobIds: ["j-1"]).matches(message))
        #expect(!ReplaySelection(partitions: [1], fromOffset: 43).matches(message))
        #expect(ReplaySelection(partitions: [1], fromOffset: 42, toOffset: 42).matches(message))
        #expect(ReplaySelection(since: Date(timeIntervalSince1970: 1_799_999_999), until: Date(timeIntervalSince1970: 1_800_000_000)).matches(message))
        #expect(!ReplaySelection(since: Date(timeIntervalSince1970: 1_800_000_001)).matches(message))
    }

    @Test("positions: the --resume text round-trips; malformed text is refused")
    func positions() throws {
        let text = "baton.jobs.dlq/0:123,baton.jobs.dlq/1:77"
        let positions = try ReplayPositions(parsing: text)
        #expect(positions.offsets[TopicPartition(topic: "baton.jobs.dlq", partition: 1)] == 77)
        #expect(positions.description == text)
        #expect(throws: ReplayError.self) { try ReplayPositions(parsing: "baton.jobs.dlq:12") }
        #expect(throws: ReplayError.self) { try ReplayPositions(parsing: "/0:1") }
        let plan = ReplayPlan(source: "other", destination: "baton.jobs", selection: ReplaySelection(), resume: positions)
        #expect(throws: ReplayError.self) { try plan.validate() }
    }

    @Test("continuations and dead letters of a replayed job carry its baton-replays on")
    func lineageCarriesOn() async throws {
        let topics = try await BatonConfiguration.load(ConfigSources(environment: [:], usesDefaultFile: false)).topics
        let records = JobRecords(topics: topics, workerID: "w")
        let input = Self.deadLetter(replays: 2)
        let job = try JobEnvelopeCodec.decode(key: input.key, value: input.value).get()
        let continuation = records.continuation(job, input: input, reason: .budget)
        #expect(continuation.headers.last { $0.name == JobHeaders.replays }?.stringValue == "2")
        let letter = records.deadLetter(job, input: input, kind: .tooOld, reason: "old")
        #expect(letter.headers.last { $0.name == JobHeaders.replays }?.stringValue == "2")
        let fresh = records.continuation(job, input: Self.deadLetter(), reason: .budget)
        #expect(!fresh.headers.contains { $0.name == JobHeaders.replays })
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
