import Baton
import Foundation
import Testing

@Suite("Job envelope: the only state a job has")
struct JobEnvelopeTests {
    static let sample = """
    {"version":1,"jobId":"j-1","createdAt":"2026-11-27T10:00:00Z",
     "source":{"bucket":"reports","key":"daily/a.csv","size":10,"futureSourceField":{"x":[1,2.5,"y",null,true]}},
     "target":{"spaceId":"s-1","sourceName":"daily","subgroups":["g1"]},
     "stage":"awaitPublish","retriesLeft":3,"slices":2,"notBefore":null,
     "birst":{"affinityCookie":"c","uploadToken":"u","uploadedBytes":10,"publishToken":"p","hint":"kept"},
     "lastError":null,"addedByNewerProducer":{"priority":7}}
    """

    func decode(_ text: String, key: String? = nil) -> Result<JobEnvelope, PoisonReason> {
        JobEnvelopeCodec.decode(key: key.map { Array($0.utf8) }, value: Array(text.utf8))
    }

    @Test("fields this version does not know survive decode → change → encode")
    func unknownFieldsSurvive() throws {
        var envelope = try decode(Self.sample, key: "j-1").get()
        envelope.retriesLeft -= 1
        let encoded = try #require(try JSONSerialization.jsonObject(with: Data(JobEnvelopeCodec.encode(envelope))) as? [String: Any])
        #expect((encoded["addedByNewerProducer"] as? [String: Any])?["priority"] as? Int == 7)
        #expect(((encoded["source"] as? [String: Any])?["futureSourceField"] as? [String: Any])?["x"] as? [Any] != nil)
        #expect((encoded["birst"] as? [String: Any])?["hint"] as? String == "kept")
        #expect(encoded["retriesLeft"] as? Int == 2)
        let again = try decode(String(decoding: JobEnvelopeCodec.encode(envelope), as: UTF8.self)).get()
        #expect(again == envelope)
    }

    @Test("envelope, source, target and Birst progress each keep their unknown fields through a round trip")
    func unknownFieldsOfEachObject() throws {
        let text = Self.sample.replacingOccurrences(of: #""subgroups":["g1"]"#, with: #""subgroups":["g1"],"targetHint":[1,{"a":null}]"#)
        let envelope = try decode(text, key: "j-1").get()
        #expect(envelope.unknownFields == ["addedByNewerProducer": .object(["priority": .int(7)])])
        #expect(envelope.source.unknownFields == ["futureSourceField": .object(["x": .array([.int(1), .double(2.5), .string("y"), .null, .bool(true)])])])
        #expect(envelope.target.unknownFields == ["targetHint": .array([.int(1), .object(["a": .null])])])
        #expect(envelope.birst.unknownFields == ["hint": .string("kept")])
        let again = try decode(String(decoding: JobEnvelopeCodec.encode(envelope), as: UTF8.self)).get()
        #expect(again == envelope)
    }

    @Test("nil fields are written as before: null where version 1 wrote null, left out where later fields are absent")
    func nilFieldsOnTheWire() throws {
        let envelope = JobEnvelope(
            jobId: "j-2", createdAt: Date(timeIntervalSince1970: 1_800_000_000),
            source: JobSource(bucket: "b", key: "k"), target: JobTarget(spaceId: "s", sourceName: "n"), retriesLeft: 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(JobEnvelopeCodec.encode(envelope))) as? [String: Any])
        #expect(Set(object.keys) == ["version", "jobId", "createdAt", "source", "target", "stage", "retriesLeft", "slices", "notBefore", "birst", "lastError"])
        #expect(object["notBefore"] is NSNull && object["lastError"] is NSNull)
        let source = try #require(object["source"] as? [String: Any])
        #expect(Set(source.keys) == ["bucket", "key", "size", "eTag", "versionId", "sequencer", "eventTime"])
        let target = try #require(object["target"] as? [String: Any])
        #expect(Set(target.keys) == ["route", "spaceId", "sourceName", "subgroups", "uploadOptions", "notifyEmail", "notifyWebhook"])
        let birst = try #require(object["birst"] as? [String: Any])
        #expect(Set(birst.keys) == ["server", "affinityCookie", "uploadToken", "uploadedBytes", "publishToken"])
    }

    @Test("a publish intent (birst.publishRequestedAt) survives a round trip; an older envelope without it reads as none")
    func publishIntentOnTheWire() throws {
        var envelope = try decode(Self.sample, key: "j-1").get()
        #expect(envelope.birst.publishRequestedAt == nil)
        envelope.birst.publishRequestedAt = Date(timeIntervalSince1970: 1_800_000_000.25)
        let text = String(decoding: JobEnvelopeCodec.encode(envelope), as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let birst = try #require(object["birst"] as? [String: Any])
        #expect(birst["publishRequestedAt"] as? String == Timestamp.format(try #require(envelope.birst.publishRequestedAt)))
        #expect(try decode(text).get().birst.publishRequestedAt == envelope.birst.publishRequestedAt)
    }

    @Test("times are ISO-8601 UTC and round-trip with milliseconds")
    func times() throws {
        let date = Date(timeIntervalSince1970: 1_795_000_000.123)
        let text = Timestamp.format(date)
        #expect(text.hasSuffix("Z"))
        #expect(abs(try #require(Timestamp.parse(text)).timeIntervalSince(date)) < 0.001)
        #expect(Timestamp.parse("2026-11-27T10:00:00Z") != nil)
    }

    @Test("malformed and hostile messages are poison with a precise reason", arguments: [
        ("{not json", "not valid JSON"),
        (#"{"version":1}"#, "jobId: missing"),
        (#"{"version":2,"jobId":"j"}"#, "unsupported envelope version 2"),
        (sample.replacingOccurrences(of: #""retriesLeft":3"#, with: #""retriesLeft":"three""#), "retriesLeft: expected Int"),
        (sample.replacingOccurrences(of: #""retriesLeft":3"#, with: #""retriesLeft":-1"#), "retriesLeft: must not be negative"),
        (sample.replacingOccurrences(of: #""stage":"awaitPublish""#, with: #""stage":"teleport""#), "unknown stage \"teleport\""),
        (sample.replacingOccurrences(of: #""createdAt":"2026-11-27T10:00:00Z""#, with: #""createdAt":"yesterday""#), "createdAt: expected an ISO-8601 time"),
        (sample.replacingOccurrences(of: #""publishToken":"p","#, with: ""), "stage awaitPublish needs birst.publishToken"),
        (sample.replacingOccurrences(of: #""bucket":"reports""#, with: #""bucket":7"#), "source.bucket: expected String"),
        (sample.replacingOccurrences(of: #""retriesLeft":3"#, with: #""retriesLeft":1.5"#), "or a number its field cannot hold"),
        (sample.replacingOccurrences(of: #""retriesLeft":3"#, with: #""retriesLeft":99999999999999999999"#), "or a number its field cannot hold"),
        // Times no producer meant: waits and durations from them would overflow (a
        // notBefore of 9999 crashed every worker that took its partition).
        (sample.replacingOccurrences(of: #""createdAt":"2026-11-27T10:00:00Z""#, with: #""createdAt":"1700-01-01T00:00:00Z""#),
         "createdAt: 1700-01-01T00:00:00.000Z is outside 1970-01-01 to 2199-12-31"),
        (sample.replacingOccurrences(of: #""notBefore":null"#, with: #""notBefore":"9999-12-31T23:59:59Z""#),
         "notBefore: 9999-12-31T23:59:59.000Z is outside"),
    ])
    func poison(text: String, reason: String) {
        guard case .failure(let poison) = decode(text) else {
            Issue.record("decoded although it should be poison")
            return
        }
        #expect(poison.message.contains(reason), "\(poison.message)")
    }

    @Test("an oversized key or a key that is not the job id is poison")
    func keys() {
        let huge = String(repeating: "k", count: 1 << 20)
        guard case .failure(let tooBig) = decode(Self.sample, key: huge) else { Issue.record("accepted a 1 MiB key"); return }
        #expect(tooBig.message.contains("1048576 bytes"))
        guard case .failure(let mismatch) = decode(Self.sample, key: "other") else { Issue.record("accepted a foreign key"); return }
        #expect(mismatch.message.contains("does not match jobId"))
    }
}

@Suite("Loop guards")
struct LoopGuardTests {
    let guardrail = LoopGuard(maxJobAge: .seconds(3600), maxSlices: 10)
    let created = Date(timeIntervalSince1970: 1_800_000_000)

    func job(retries: Int = 5, slices: Int = 0) -> JobEnvelope {
        var job = JobEnvelope(jobId: "j", createdAt: created, source: JobSource(bucket: "b", key: "k"), target: JobTarget(spaceId: "s", sourceName: "n"), retriesLeft: retries)
        job.slices = slices
        return job
    }

    @Test("no retries left, too old and too many slices each stop the job with their own kind")
    func limits() {
        #expect(guardrail.violation(job(), now: created.addingTimeInterval(60)) == nil)
        #expect(guardrail.violation(job(retries: 0), now: created)?.kind == .retriesExhausted)
        #expect(guardrail.violation(job(), now: created.addingTimeInterval(3601))?.kind == .tooOld)
        #expect(guardrail.violation(job(slices: 10), now: created)?.kind == .tooManySlices)
    }

    @Test("a notBefore later than the job may live is not waited out: the job runs at once and ends too old")
    func notBeforeBeyondTheAgeLimit() {
        var late = job()
        late.notBefore = created.addingTimeInterval(3601)
        #expect(guardrail.notBeforeToWaitFor(late) == nil, "waiting would hold the partition's commits back for nothing")
        #expect(guardrail.violation(late, now: created)?.kind == .tooOld)
        var backoff = job()
        backoff.notBefore = created.addingTimeInterval(60)
        #expect(guardrail.notBeforeToWaitFor(backoff) == backoff.notBefore)
        #expect(guardrail.violation(backoff, now: created) == nil)
    }
}
