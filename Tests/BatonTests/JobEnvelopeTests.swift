@testable import Baton
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

    @Test("lastError and result keep their unknown fields through decode → change → encode")
    func unknownFieldsOfLastErrorAndResult() throws {
        let text = Self.sample
            .replacingOccurrences(of: #""stage":"awaitPublish""#, with: #""stage":"notify""#)
            .replacingOccurrences(
                of: #""lastError":null"#,
                with: #""lastError":{"kind":"birst-transient","message":"busy","at":"2026-11-27T10:05:00Z","count":2,"retryAfterSeconds":30,"detail":{"server":"app2101"}},"result":{"status":"completed","finishedAt":"2026-11-27T10:20:00Z","outcomeRecorded":false,"emailSent":false,"webhookSent":false,"notifyAttempts":0,"pagerSent":true}"#)
        var envelope = try decode(text, key: "j-1").get()
        #expect(envelope.lastError?.unknownFields == ["retryAfterSeconds": .int(30), "detail": .object(["server": .string("app2101")])])
        #expect(envelope.result?.unknownFields == ["pagerSent": .bool(true)])
        envelope.result?.emailSent = true
        envelope.lastError?.count = 3
        let encoded = JobEnvelopeCodec.encode(envelope)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(encoded)) as? [String: Any])
        let lastError = try #require(object["lastError"] as? [String: Any])
        #expect(lastError["retryAfterSeconds"] as? Int == 30 && (lastError["detail"] as? [String: Any])?["server"] as? String == "app2101")
        #expect(lastError["count"] as? Int == 3)
        let result = try #require(object["result"] as? [String: Any])
        #expect(result["pagerSent"] as? Bool == true && result["emailSent"] as? Bool == true)
        #expect(try decode(String(decoding: encoded, as: UTF8.self)).get() == envelope)
    }

    @Test("lastError and result are written byte for byte as before they kept unknown fields")
    func lastErrorAndResultOnTheWire() throws {
        var envelope = JobEnvelope(
            jobId: "j-3", createdAt: Date(timeIntervalSince1970: 1_800_000_000),
            source: JobSource(bucket: "b", key: "k", size: 5), target: JobTarget(spaceId: "s", sourceName: "n"), retriesLeft: 3)
        envelope.stage = .notify
        envelope.lastError = JobError(kind: "birst-transient", message: "busy", at: Date(timeIntervalSince1970: 1_800_000_000.123), count: 2)
        envelope.result = JobResult(status: .completed, finishedAt: Date(timeIntervalSince1970: 1_800_000_060))
        let expected = #"{"birst":{"affinityCookie":null,"publishToken":null,"server":null,"uploadToken":null,"uploadedBytes":0},"#
            + #""createdAt":"2027-01-15T08:00:00.000Z","jobId":"j-3","#
            + #""lastError":{"at":"2027-01-15T08:00:00.123Z","count":2,"kind":"birst-transient","message":"busy"},"notBefore":null,"#
            + #""result":{"emailSent":false,"finishedAt":"2027-01-15T08:01:00.000Z","notifyAttempts":0,"outcomeRecorded":false,"status":"completed","webhookSent":false},"#
            + #""retriesLeft":3,"slices":0,"#
            + #""source":{"bucket":"b","eTag":null,"eventTime":null,"key":"k","sequencer":null,"size":5,"versionId":null},"stage":"notify","#
            + #""target":{"notifyEmail":[],"notifyWebhook":null,"route":null,"sourceName":"n","spaceId":"s","subgroups":[],"uploadOptions":[]},"version":1}"#
        #expect(String(decoding: JobEnvelopeCodec.encode(envelope), as: UTF8.self) == expected)
        envelope.lastError?.count = nil
        envelope.result?.message = "done"
        envelope.result?.errorKind = "none"
        let object = try #require(try JSONSerialization.jsonObject(with: Data(JobEnvelopeCodec.encode(envelope))) as? [String: Any])
        #expect((object["lastError"] as? [String: Any]).map { Set($0.keys) } == ["at", "kind", "message"], "a nil count is left out, as before")
        #expect((object["result"] as? [String: Any])?["message"] as? String == "done")
        #expect((object["result"] as? [String: Any])?["errorKind"] as? String == "none")
    }

    @Test("numbers in unknown fields keep their value: 64-bit integers, and decimals beyond a Double", arguments: [
        ("9007199254740993", JSONValue.int(9_007_199_254_740_993)),
        ("-9223372036854775808", .int(Int64.min)),
        ("123456789012345678901234567890", .decimal(Decimal(string: "123456789012345678901234567890")!)),
        ("18446744073709551615", .decimal(Decimal(string: "18446744073709551615")!)),
        ("3.1415926535897932384626433832795", .decimal(Decimal(string: "3.1415926535897932384626433832795")!)),
        ("0.30000000000000004", .double(0.30000000000000004)),
        ("2.5", .double(2.5)),
        ("1e-7", .double(1e-7)),
        ("1e300", .double(1e300)),
    ])
    func preciseNumbers(number: String, value: JSONValue) throws {
        let text = Self.sample.replacingOccurrences(of: #""priority":7"#, with: #""priority":\#(number)"#)
        let envelope = try decode(text, key: "j-1").get()
        #expect(envelope.unknownFields["addedByNewerProducer"] == .object(["priority": value]))
        let encoded = String(decoding: JobEnvelopeCodec.encode(envelope), as: UTF8.self)
        let again = try decode(encoded).get()
        #expect(again.unknownFields == envelope.unknownFields, "\(encoded)")
        if case .double = value {} else {
            #expect(encoded.contains(#""priority":\#(number)}"#), "written back as it was read: \(encoded)")
        }
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

    static let impossibleOrAmbiguousEnvelopes: [(String, String)] = [
        // Times that do not exist, which Foundation's parser moved on to real ones.
        (JobEnvelopeTests.sample.replacingOccurrences(of: #""createdAt":"2026-11-27T10:00:00Z""#, with: #""createdAt":"2026-11-30T25:00:00Z""#),
         #"createdAt: expected an ISO-8601 time, got "2026-11-30T25:00:00Z": hour 25 does not exist"#),
        (JobEnvelopeTests.sample.replacingOccurrences(of: #""notBefore":null"#, with: #""notBefore":"2026-02-30T10:00:00+02:00""#),
         "notBefore: expected an ISO-8601 time, got \"2026-02-30T10:00:00+02:00\": 2026-02 has no day 30"),
        (JobEnvelopeTests.sample.replacingOccurrences(of: #""lastError":null"#, with: #""lastError":{"kind":"k","message":"m","at":"2026-11-27T10:61:00Z"}"#),
         "lastError.at: expected an ISO-8601 time, got \"2026-11-27T10:61:00Z\": minute 61 does not exist"),
        (JobEnvelopeTests.sample.replacingOccurrences(of: #""hint":"kept""#, with: #""hint":"kept","publishStartedAt":"2026-11-31T10:00:00Z""#),
         "birst.publishStartedAt: expected an ISO-8601 time, got \"2026-11-31T10:00:00Z\": 2026-11 has no day 31"),
        // Ambiguous: this decoder reads the first of two keys, most other readers the last.
        (JobEnvelopeTests.sample.replacingOccurrences(of: #""retriesLeft":3"#, with: #""retriesLeft":3,"retriesLeft":0"#),
         "retriesLeft: appears twice in one object"),
        (JobEnvelopeTests.sample.replacingOccurrences(of: #""bucket":"reports""#, with: #""bucket":"reports","bucket":"other""#),
         "source.bucket: appears twice in one object"),
        (JobEnvelopeTests.sample.replacingOccurrences(of: #""jobId":"j-1""#, with: #""jobId":"j-1","jobI\u0064":"j-2""#), "jobId: appears twice in one object"),
        (JobEnvelopeTests.sample.replacingOccurrences(of: #""priority":7"#, with: #""priority":7,"priority":8"#), "addedByNewerProducer.priority: appears twice in one object"),
        (JobEnvelopeTests.sample.replacingOccurrences(of: #""x":[1,"#, with: #""x":[{"a":1,"a":1},1,"#), "source.futureSourceField.x[0].a: appears twice in one object"),
    ]

    @Test("times that do not exist and keys given twice are poison, the reason naming the field", arguments: impossibleOrAmbiguousEnvelopes)
    func impossibleOrAmbiguous(text: String, reason: String) {
        poison(text: text, reason: reason)
    }

    /// The sample with `"addedByNewerProducer":{"priority":7}` replaced by `field`.
    static func withUnknownField(_ field: String) -> String {
        sample.replacingOccurrences(of: #""addedByNewerProducer":{"priority":7}"#, with: field)
    }

    static func nested(_ levels: Int) -> String { String(repeating: "[", count: levels) + String(repeating: "]", count: levels) }

    static let envelopesBeyondTheReadersLimits: [(String, String)] = [
        // The envelope is level 1: 64 levels in all is Baton's limit, 512 Foundation's.
        (withUnknownField(#""deep":"# + nested(64)), "deep[0][0][0][0][0]…[0]: nested more than 64 levels deep, past Baton's limit"),
        (withUnknownField(#""deep":"# + nested(600)), "deep[0][0][0][0][0]…[0]: nested more than 64 levels deep"),
        (withUnknownField(#""deep":{"a\u0062":"# + String(repeating: #"{"a":"#, count: 70) + "1" + String(repeating: "}", count: 71)),
         "deep.ab.a.a.a.a…a: nested more than 64 levels deep"),
        (withUnknownField(#""deep":{"a[{":"# + String(repeating: #"{"a":"#, count: 70) + "1" + String(repeating: "}", count: 71)),
         "deep.a[{.a.a.a.a…a: nested more than 64 levels deep"),
        (withUnknownField(#""huge":1e400"#), "huge: the number 1e400 is beyond the range of a double (±1.8e308)"),
        (withUnknownField(#""huge":{"n":[1,-1.8e308]}"#), "huge.n[1]: the number -1.8e308 is beyond the range of a double"),
        (withUnknownField(#""long":1"# + String(repeating: "0", count: 400)), "long: the number 1" + String(repeating: "0", count: 36) + "… is beyond the range of a double"),
        (sample.replacingOccurrences(of: #""retriesLeft":3"#, with: #""retriesLeft":1e400"#), "retriesLeft: the number 1e400 is beyond the range of a double"),
    ]

    @Test("nesting and numbers beyond what the JSON reader takes are poison, the reason naming the field and the cause", arguments: envelopesBeyondTheReadersLimits)
    func beyondTheReadersLimits(text: String, reason: String) {
        poison(text: text, reason: reason)
    }

    @Test("up to the limits an unknown field survives: 64 levels in all, brackets in strings not counted, ±1.79e308; nearer zero than 5e-324 reads as 0")
    func withinTheReadersLimits() throws {
        let deepObject = String(repeating: #"{"[[":"#, count: 62) + #""]]""# + String(repeating: "}", count: 62)
        for field in [#""deep":"# + Self.nested(63), #""deepObject":"# + deepObject, #""big":[1.7976931348623157e308,-1e308]"#, #""small":[5e-324,1e-400,0.0e999]"#] {
            let envelope = try decode(Self.withUnknownField(field), key: "j-1").get()
            #expect(envelope.unknownFields.count == 1, "\(field.prefix(40))")
        }
        #expect(JSONReadLimits.firstProblem(in: Array(Self.sample.utf8)) == nil)
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
