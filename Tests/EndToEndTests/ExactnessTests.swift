import Baton
import BatonTestSupport
import BirstSimulator
import Curl
import Foundation
import Kafka
import S3Events
import Testing

/// `completed` means Birst holds exactly the bytes of the S3 version the event named
/// (issue 8): each case is one input a user met, run against the real stack.
/// Serialized: six scenarios at once would crowd the other suites' timing-sensitive tests.
@Suite("End to end: completed means exact", .serialized)
struct ExactnessTests {
    @Test("versioned bucket: the event names version 1, version 2 is written before the worker runs; Birst gets version 1")
    func versionPinned() async throws {
        let harness = try await EndToEndHarness("versioned")
        defer { Task { await harness.stop() } }
        try await harness.s3.setBucketVersioning(harness.bucket, enabled: true)
        let first = sampleCSV(size: 57_181, label: "v1")
        let second = sampleCSV(size: 83_081, label: "v2")
        let v1 = try await harness.s3.putObjectVersion(bucket: harness.bucket, key: "daily/report.csv", body: first)
        let version = try #require(v1.versionId, "moto gives a version id once versioning is on")
        _ = try await harness.s3.putObjectVersion(bucket: harness.bucket, key: "daily/report.csv", body: second)
        harness.expect("daily/report.csv", first)

        let worker = try await harness.startWorker()
        _ = try await harness.publish(events: [S3ObjectEvent(
            bucket: harness.bucket, key: "daily/report.csv", size: first.count, eTag: v1.eTag, versionId: version, sequencer: "0A01")])
        let outcomes = try await harness.outcomes(1, within: 60)
        try await worker.stop()

        #expect(outcomes.first?.status == .completed, "\(describe(outcomes))")
        #expect(outcomes.first?.bytesUploaded == 57_181)
        let upload = try #require(harness.simulator.inspect().uploads.first { $0.finished })
        #expect(upload.bytesReceived == 57_181, "Birst received \(upload.bytesReceived) bytes")
        #expect(upload.sha256 == EndToEndHarness.sha256(first), "the bytes of version 1, not the first 57,181 bytes of version 2")
        #expect(harness.inexactUploads().isEmpty, "\(harness.inexactUploads())")
        #expect(harness.overrunChunkCalls() >= 1)
    }

    @Test("unversioned object overwritten during a sliced upload: superseded, never finished in Birst; the newer event completes")
    func changedDuringUpload() async throws {
        let harness = try await EndToEndHarness("changed") { simulator in
            // Every chunk is slow, so the overwrite lands in the middle of the upload.
            simulator.settings.faults = FaultPlan(operations: ["uploadData": FaultKnobs(delayAfterApplySeconds: 0.3)])
        }
        defer { Task { await harness.stop() } }
        let original = sampleCSV(size: 700_000, label: "original")
        let restated = sampleCSV(size: 650_000, label: "restated")
        let first = try await harness.s3.putObjectVersion(bucket: harness.bucket, key: "ledger.csv", body: original)
        let worker = try await harness.startWorker()
        let oldJob = try #require(try await harness.publish(events: [S3ObjectEvent(
            bucket: harness.bucket, key: "ledger.csv", size: original.count, eTag: first.eTag, sequencer: "0B01")]).first)

        try await eventually(30, "the first chunks to arrive") {
            (harness.simulator.inspect().uploads.first?.bytesReceived ?? 0) > 0
        }
        let second = try await harness.s3.putObjectVersion(bucket: harness.bucket, key: "ledger.csv", body: restated)
        harness.expect("ledger.csv", restated)

        let outcomes = try await harness.outcomes(1, within: 60)
        let superseded = try #require(outcomes.first)
        #expect(superseded.jobId == oldJob.made.jobId)
        #expect(superseded.status == .superseded, "\(describe(outcomes))")
        #expect(superseded.message?.contains("superseded") == true)
        let abandoned = harness.simulator.inspect().uploads
        #expect(abandoned.count == 1 && abandoned.allSatisfy { !$0.finished }, "the mixed upload is never finished")
        let received: Int64 = abandoned.first?.bytesReceived ?? 0
        #expect(received > 0 && received < Int64(original.count))

        // The newer write's own event does the work.
        let newJob = try #require(try await harness.publish(events: [S3ObjectEvent(
            bucket: harness.bucket, key: "ledger.csv", size: restated.count, eTag: second.eTag, sequencer: "0B02")]).first)
        #expect(newJob.made.jobId != oldJob.made.jobId)
        let both = try await harness.outcomes(2, within: 60)
        try await worker.stop()
        #expect(both.last?.status == .completed, "\(describe(both))")
        let finished = harness.simulator.inspect().uploads.filter(\.finished)
        #expect(finished.count == 1 && finished.first?.sha256 == EndToEndHarness.sha256(restated))
        #expect(harness.inexactUploads().isEmpty, "\(harness.inexactUploads())")
        #expect(superseded.errorKind == "superseded")
    }

    @Test("the object changed before the worker ran (no version id): superseded before any byte reaches Birst")
    func changedBeforeUpload() async throws {
        let harness = try await EndToEndHarness("changed-before")
        defer { Task { await harness.stop() } }
        let first = try await harness.s3.putObjectVersion(bucket: harness.bucket, key: "q.csv", body: sampleCSV(size: 40_000, label: "q1"))
        try await harness.s3.putObject(bucket: harness.bucket, key: "q.csv", body: sampleCSV(size: 40_000, label: "q2"))
        let worker = try await harness.startWorker()
        _ = try await harness.publish(events: [S3ObjectEvent(bucket: harness.bucket, key: "q.csv", size: 40_000, eTag: first.eTag, sequencer: "0C01")])
        let outcomes = try await harness.outcomes(1, within: 60)
        try await worker.stop()
        #expect(outcomes.first?.status == .superseded, "\(describe(outcomes))")
        #expect(harness.simulator.inspect().uploads.isEmpty, "no upload begun")
    }

    @Test("the event's size and the object disagree: dead-lettered s3-mismatch, nothing uploaded")
    func sizeMismatch() async throws {
        let harness = try await EndToEndHarness("size-mismatch")
        defer { Task { await harness.stop() } }
        let put = try await harness.s3.putObjectVersion(bucket: harness.bucket, key: "m.csv", body: sampleCSV(size: 30_000, label: "m"))
        let worker = try await harness.startWorker()
        _ = try await harness.publish(events: [S3ObjectEvent(bucket: harness.bucket, key: "m.csv", size: 20_000, eTag: put.eTag, sequencer: "0D01")])
        let outcomes = try await harness.outcomes(1, within: 60)
        let deadLetters = try await harness.deadLetters(1, within: 10)
        try await worker.stop()
        #expect(outcomes.first?.status == .deadLettered)
        #expect(outcomes.first?.errorKind == "s3-mismatch")
        #expect(outcomes.first?.message?.contains("20000") == true && outcomes.first?.message?.contains("30000") == true)
        #expect(deadLetters.first?.headerString(JobHeaders.errorKind) == "s3-mismatch")
        #expect(harness.simulator.inspect().uploads.isEmpty)
    }

    @Test("Ceph RGW: two PUTs of one key with \"versionId\": \"\" are two jobs; a duplicate delivery still collapses; the restated report reaches Birst")
    func cephEmptyVersionId() async throws {
        let harness = try await EndToEndHarness("ceph")
        defer { Task { await harness.stop() } }
        let original = sampleCSV(size: 45_000, label: "c1")
        let restated = sampleCSV(size: 47_000, label: "c2")
        let first = try await harness.s3.putObjectVersion(bucket: harness.bucket, key: "ceph.csv", body: original)
        let second = try await harness.s3.putObjectVersion(bucket: harness.bucket, key: "ceph.csv", body: restated)
        harness.expect("ceph.csv", restated)
        func cephEvent(_ sequencer: String, _ eTag: String?, _ size: Int) -> [UInt8] {
            Array("""
                {"Records":[{"eventVersion":"2.2","eventSource":"ceph:s3","eventName":"ObjectCreated:Put",
                 "s3":{"bucket":{"name":"\(harness.bucket)"},
                       "object":{"key":"ceph.csv","size":\(size),"eTag":"\(eTag ?? "")","versionId":"","sequencer":"\(sequencer)"}}}]}
                """.utf8)
        }
        let one = try S3EventParser.parse(cephEvent("1C5A0F00", first.eTag, original.count)).events
        let two = try S3EventParser.parse(cephEvent("1C5A0F7A", second.eTag, restated.count)).events
        let worker = try await harness.startWorker()
        let published = try await harness.publish(events: one + two + two)
        let ids = published.map(\.made.jobId)
        #expect(ids[0] != ids[1], "two writes of one key are two jobs")
        #expect(ids[1] == ids[2], "a duplicate delivery of one event is one job")

        let outcomes = try await harness.outcomes(2, within: 60)
        try await worker.stop()
        let byId = Dictionary(outcomes.map { ($0.jobId, $0.status) }, uniquingKeysWith: { first, _ in first })
        #expect(byId[ids[1]] == .completed, "the restated report reaches Birst: \(describe(outcomes))")
        #expect(byId[ids[0]] == .superseded, "the first write was overwritten before its job ran")
        let finished = harness.simulator.inspect().uploads.filter(\.finished)
        #expect(finished.count == 1 && finished.first?.sha256 == EndToEndHarness.sha256(restated))
        #expect(harness.inexactUploads().isEmpty, "\(harness.inexactUploads())")
    }

    @Test("a folder marker and an empty object are skipped with a reason; Birst is untouched")
    func folderMarkerAndEmptyObject() async throws {
        let harness = try await EndToEndHarness("folder")
        defer { Task { await harness.stop() } }
        try await harness.s3.putObject(bucket: harness.bucket, key: "incoming/", body: [])
        try await harness.s3.putObject(bucket: harness.bucket, key: "empty.csv", body: [])
        let worker = try await harness.startWorker()
        // The console's folder (an event with its size), and a manual publish of an empty
        // object without a size: the worker finds out with its HEAD.
        let published = try await harness.publish(events: [
            S3ObjectEvent(bucket: harness.bucket, key: "incoming/", size: 0, eTag: "d41d8cd98f00b204e9800998ecf8427e", sequencer: "0E01"),
            S3ObjectEvent(bucket: harness.bucket, key: "empty.csv", eventTime: "2026-11-30T10:00:00Z"),
        ])
        if case .skipped(let record) = published[0].made {
            #expect(record.message?.contains("folder marker") == true)
        } else {
            Issue.record("a folder marker must not become a job: \(published[0].made)")
        }
        let outcomes = try await harness.outcomes(2, within: 60)
        try await worker.stop()
        #expect(outcomes.allSatisfy { $0.status == .skipped }, "\(describe(outcomes))")
        #expect(outcomes.contains { $0.message?.contains("empty object") == true })
        let inspection = harness.simulator.inspect()
        #expect(inspection.uploads.isEmpty && inspection.publishes.isEmpty, "nothing uploaded, nothing published")
    }
}
