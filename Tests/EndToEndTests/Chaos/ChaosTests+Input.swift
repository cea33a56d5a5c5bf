import Baton
import BatonTestSupport
import Foundation
import Testing

/// Scenario 4: malformed and hostile records among good jobs.
extension ChaosTests {
    /// 4. Hostile records interleaved with good jobs on the jobs topic, for two workers.
    @Sendable
    static func hostileEvents(_ size: ChaosSize) async throws -> ChaosAudit {
        let began = ContinuousClock.now
        let harness = try await EndToEndHarness("chaos-hostile", settings: ["worker.concurrency": "64"], s3SecretAccessKey: scenarioSecret())
        let fleet = ChaosFleet(harness)
        var good: [String] = []
        var hostile: [HostileRecord] = []
        var records: [(key: [UInt8]?, value: [UInt8])] = []
        do {
            let every = max(1, size.hostileRecords / size.hostileGoodJobs)
            for index in 0..<size.hostileRecords {
                let record = hostileRecord(index, bucket: harness.bucket)
                hostile.append(record)
                records.append((record.key, record.value))
                if index % every == every - 1, good.count < size.hostileGoodJobs {
                    let stem = "g-\(good.count)"
                    try await harness.putReport(stem + ".csv", size: 20_000 + good.count * 1_000)
                    let id = "\(stem)-\(harness.name)"
                    good.append(id)
                    records.append((Array(id.utf8), Array(envelope(id: id, bucket: harness.bucket, key: stem + ".csv", stem: stem).utf8)))
                }
            }
            try await fleet.start(2)
            fleet.supervise()
            try await harness.produceRaw(records)
        } catch {
            throw await abandon(harness, fleet, error)
        }
        let replacedBefore = fleet.replaced
        let (audit, exits) = try await finish(
            harness, fleet, scenario: "4 \(hostile.count) hostile records among \(good.count) jobs", jobs: good, hostile: hostile,
            within: size.full ? 240 : 120, began: began)
        #expect(replacedBefore == 0 && fleet.replaced == 0 && exits.values.allSatisfy { $0 == 0 }, "4: the workers stayed alive and stopped cleanly: \(exits)")
        #expect(audit.deadLettered == hostile.count, "4: every hostile record dead-lettered once, no good one")
        #expect(audit.deadLetterKinds == ["poison": hostile.count], "4: every one as poison, before any slice of work: \(audit.deadLetterKinds)")
        #expect(audit.completed == good.count, "4: every good job completed: \(describe(audit.notCompleted))")
        return audit
    }

    /// A good job's envelope as a producer would write it, created now.
    static func envelope(id: String, bucket: String, key: String, stem: String, change: (String) -> String = { $0 }) -> String {
        change(
            #"{"version":1,"jobId":"\#(id)","createdAt":"\#(Timestamp.format(Date()))","source":{"bucket":"\#(bucket)","key":"\#(key)"},"target":{"spaceId":"space-\#(stem)","sourceName":"\#(stem)"},"stage":"upload","retriesLeft":50}"#
        )
    }

    /// The `index`th hostile record: each kind of damage in turn, every record distinct
    /// (so the audit finds each on the dead-letter topic, untouched). Every one must be
    /// dead-lettered as poison; none may stop a worker.
    static func hostileRecord(_ index: Int, bucket: String) -> HostileRecord {
        let id = "bad-\(index)"
        func job(_ change: (String) -> String) -> HostileRecord {
            HostileRecord(key: Array(id.utf8), value: Array(envelope(id: id, bucket: bucket, key: "x.csv", stem: "x", change: change).utf8))
        }
        func replacing(_ old: String, _ new: String) -> HostileRecord { job { $0.replacingOccurrences(of: old, with: new) } }
        switch index % 31 {
        case 0: return HostileRecord(key: Array(id.utf8), value: Array(#"{"version":1,"jobId":"\#(id)","#.utf8))
        case 1: return HostileRecord(key: nil, value: (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ index) } + Array("\(index)".utf8))
        case 2: return HostileRecord(key: Array(id.utf8), value: [])
        case 3: return HostileRecord(key: Array(id.utf8), value: Array("[\(index)]".utf8))
        case 4: return HostileRecord(key: nil, value: Array("\(index)".utf8))
        case 5: return replacing(#""retriesLeft":50"#, #""retriesLeft":"five""#)
        case 6: return replacing(#""retriesLeft":50"#, #""retriesLeft":-3"#)
        case 7: return replacing(#""stage":"upload""#, #""stage":"teleport""#)
        case 8: return replacing(#""version":1"#, #""version":9"#)
        case 9: return job { $0.replacingOccurrences(of: #""source":{"bucket":"\#(bucket)","key":"x.csv"},"#, with: "") }
        case 10:  // nesting far deeper than any decoder's stack should follow
            let depth = 20_000
            return HostileRecord(key: Array(id.utf8), value: Array((String(repeating: "[", count: depth) + "\(index)" + String(repeating: "]", count: depth)).utf8))
        case 11: return HostileRecord(key: Array("someone-else-\(index)".utf8), value: job { $0 }.value)
        case 12: return HostileRecord(key: Array((String(repeating: "k", count: 2048) + "\(index)").utf8), value: job { $0 }.value)
        case 13: return replacing(#""bucket":"\#(bucket)""#, #""bucket":"""#)
        case 14: return replacing(#""retriesLeft":50"#, #""retriesLeft":50,"slices":-1"#)
        case 15: return replacing(#""stage":"upload""#, #""stage":"awaitUpload""#)
        case 16: return replacing(#""stage":"upload""#, #""stage":"notify""#)
        case 17:
            let long = id + String(repeating: "x", count: 300)
            return HostileRecord(key: Array(long.utf8), value: job { $0.replacingOccurrences(of: #""jobId":"\#(id)""#, with: #""jobId":"\#(long)""#) }.value)
        case 18: return HostileRecord(key: Array(id.utf8), value: Array(#"{"version":1,"jobId":""#.utf8) + [0xFF, 0xFE, 0xC0] + Array(#"\#(index)"}"#.utf8))
        case 19: return HostileRecord(key: Array(id.utf8), value: Array(#"{"hello":"world","n":\#(index)}"#.utf8))
        case 20: return replacing(#""key":"x.csv"}"#, #""key":"x.csv","size":10},"birst":{"uploadedBytes":99}"#)
        case 21: return replacing(#""createdAt":""#, #""createdAt":"yesterday","was":""#)
        case 22: return replacing(#""retriesLeft":50"#, #""retriesLeft":1e999"#)
        case 23:  // a large value (1 MiB of padding inside the JSON)
            return HostileRecord(key: Array(id.utf8), value: Array(#"{"version":1,"jobId":"\#(id)","pad":"\#(String(repeating: "p", count: 1 << 20))"}"#.utf8))
        case 24: return HostileRecord(key: nil, value: job { $0.replacingOccurrences(of: #""jobId":"\#(id)""#, with: #""jobId":"","n":\#(index)"#) }.value)
        // Times no producer meant: a notBefore of 9999 once crashed every worker that took
        // its partition (a wait overflowed), a createdAt of 1700 the one that ended it.
        case 25: return replacing(#""retriesLeft":50"#, #""retriesLeft":50,"notBefore":"9999-12-31T23:59:59Z""#)
        case 26: return job { $0.replacingOccurrences(of: #""createdAt":"[^"]*""#, with: #""createdAt":"1700-01-01T00:00:00Z""#, options: .regularExpression) }
        // Times that do not exist: Foundation's parser once moved them on to real ones
        // (25:00 into the next day, February 30 into March).
        case 27: return job { $0.replacingOccurrences(of: #""createdAt":"[^"]*""#, with: #""createdAt":"2026-11-30T25:00:00Z""#, options: .regularExpression) }
        case 28: return replacing(#""retriesLeft":50"#, #""retriesLeft":50,"notBefore":"2026-02-30T10:00:00+02:00""#)
        // An ambiguous envelope: this worker's decoder would read the first retriesLeft, most
        // other readers the last.
        case 29: return replacing(#""retriesLeft":50"#, #""retriesLeft":50,"retriesLeft":0"#)
        default: return replacing(#""spaceId":"space-x""#, #""spaceId":"""#)
        }
    }
}
