import Baton
import BatonTestSupport
import Foundation
import Kafka
import Testing

@Suite("End to end: malformed and hostile messages")
struct HostileInputTests {
    /// A valid job created now (a fixed date would outgrow `worker.maxJobAge` and be dead-lettered too-old).
    static var good: String {
        #"{"version":1,"jobId":"JOB","createdAt":"CREATED","source":{"bucket":"BUCKET","key":"KEY"},"target":{"spaceId":"space-h","sourceName":"h"},"stage":"upload","retriesLeft":50}"#
            .replacingOccurrences(of: "CREATED", with: Timestamp.format(Date()))
    }

    @Test("bad messages interleaved with good ones: every bad one dead-lettered with its reason, every good one completed, the worker alive")
    func hostile() async throws {
        let harness = try await EndToEndHarness("hostile")
        defer { Task { await harness.stop() } }
        try await harness.putReport("good1.csv", size: 30_000)
        try await harness.putReport("good2.csv", size: 30_000)
        let created = Timestamp.format(Date())
        func job(_ id: String, key: String, _ change: (String) -> String = { $0 }) -> (key: [UInt8]?, value: [UInt8]) {
            (Array(id.utf8), Array(change(Self.good.replacingOccurrences(of: "JOB", with: id).replacingOccurrences(of: "CREATED", with: created)
                .replacingOccurrences(of: "BUCKET", with: harness.bucket).replacingOccurrences(of: "KEY", with: key)).utf8))
        }
        let bad: [(key: [UInt8]?, value: [UInt8], reason: String)] = [
            (Array("bad-json".utf8), Array("{\"version\":1,".utf8), "not valid JSON"),
            (Array(repeating: 0x6B, count: 1 << 20), job("x", key: "x.csv").value, "message key is 1048576 bytes"),
            job("bad-types", key: "x.csv") { $0.replacingOccurrences(of: #""retriesLeft":50"#, with: #""retriesLeft":"five""#) } + ("retriesLeft: expected Int"),
            job("bad-negative", key: "x.csv") { $0.replacingOccurrences(of: #""retriesLeft":50"#, with: #""retriesLeft":-3"#) } + ("retriesLeft: must not be negative"),
            job("bad-stage", key: "x.csv") { $0.replacingOccurrences(of: #""stage":"upload""#, with: #""stage":"teleport""#) } + ("unknown stage"),
            job("bad-version", key: "x.csv") { $0.replacingOccurrences(of: #""version":1"#, with: #""version":9"#) } + ("unsupported envelope version 9"),
            (nil, Array("\u{0}\u{1}binary".utf8), "not valid JSON"),
        ]
        let worker = try await harness.startWorker()
        var records: [(key: [UInt8]?, value: [UInt8])] = [job("good-1", key: "good1.csv")]
        records += bad.map { ($0.key, $0.value) }
        records.insert(job("good-2", key: "good2.csv"), at: 4)
        try await harness.produceRaw(records)

        let letters = try await harness.deadLetters(bad.count, within: 60)
        let outcomes = try await harness.outcomes(2 + 5, within: 60)
        #expect(worker.isRunning)
        try await worker.stop()

        #expect(letters.count == bad.count)
        #expect(letters.allSatisfy { $0.headerString(JobHeaders.errorKind) == "poison" })
        for item in bad {
            let letter = letters.first { $0.key == item.key && $0.value == item.value }
            #expect(letter != nil, "dead-lettered untouched: \(item.reason)")
            #expect(letter?.headerString(JobHeaders.error)?.contains(item.reason) == true, "reason \(item.reason): \(letter?.headerString(JobHeaders.error) ?? "none")")
        }
        let completed = outcomes.filter { $0.status == .completed }.map(\.jobId)
        #expect(Set(completed) == ["good-1", "good-2"])
    }

    /// A new user copied outcome records onto the jobs topic: each was dead-lettered as
    /// unreadable, but also recorded a `dead-lettered` outcome under the job's id, so a
    /// completed report looked failed. A stray under the id of a job the worker saw end
    /// is still dead-lettered, and records no outcome.
    @Test("an unreadable message keyed by a job that already completed is dead-lettered without a second outcome")
    func strayOfFinishedJob() async throws {
        let harness = try await EndToEndHarness("stray")
        defer { Task { await harness.stop() } }
        try await harness.putReport("s.csv", size: 10_000)
        let worker = try await harness.startWorker()
        let jobId = try #require(try await harness.publish(["s.csv"]).first)
        let first = try await harness.outcomes(1, within: 60)
        #expect(first.first?.status == .completed)

        try await harness.produceRaw([(key: Array(jobId.utf8), value: Array(#"{"not":"a job"}"#.utf8))])
        let letters = try await harness.deadLetters(1, within: 30)
        #expect(letters.first?.headerString(JobHeaders.errorKind) == "poison")
        let second = try? await harness.outcomes(2, within: 3)
        try await worker.stop()
        #expect(second == nil, "no second outcome for \(jobId): \(describe(second ?? []))")
    }
}

private func + (lhs: (key: [UInt8]?, value: [UInt8]), reason: String) -> (key: [UInt8]?, value: [UInt8], reason: String) {
    (lhs.key, lhs.value, reason)
}
