import Baton
import BatonTestSupport
import Foundation
import Testing

@Suite("End to end: reports move from S3 into Birst")
struct HappyPathTests {
    @Test("five reports, each publish taking about six slices: five completed outcomes, bytes identical, one publish each")
    func fiveReports() async throws {
        let harness = try await EndToEndHarness("happy")
        defer { Task { await harness.stop() } }
        let sizes = [150_000, 300_000, 450_000, 600_000, 1_000_000]
        var reports: [String: [UInt8]] = [:]
        for (index, size) in sizes.enumerated() {
            reports["r\(index)"] = try await harness.putReport("daily/r\(index).csv", size: size)
        }
        let jobIds = try await harness.publish(reports.keys.sorted().map { "daily/\($0).csv" })
        let workers = [try await harness.startWorker("a"), try await harness.startWorker("b")]

        let outcomes = try await harness.outcomes(5, within: 90)
        for worker in workers { try await worker.stop() }

        #expect(Set(outcomes.map(\.jobId)) == Set(jobIds))
        #expect(outcomes.allSatisfy { $0.status == .completed }, "\(describe(outcomes))")
        for outcome in outcomes {
            #expect(outcome.slices >= 5, "publishing takes several slices; job \(outcome.jobId) used \(outcome.slices)")
            #expect(outcome.timings.birstSeconds != nil)
        }
        let inspection = harness.simulator.inspect()
        for (name, bytes) in reports {
            let uploads = inspection.uploads.filter { $0.sourceName == name }
            #expect(uploads.count == 1, "one upload of \(name)")
            #expect(uploads.first?.sha256 == EndToEndHarness.sha256(bytes), "Birst has exactly the bytes of \(name)")
            #expect(uploads.first?.finished == true)
            #expect(inspection.publishes.filter { $0.spaceID == "space-\(name)" }.count == 1, "\(name) published exactly once")
            #expect(outcomes.first { $0.source?.key == "daily/\(name).csv" }?.bytesUploaded == bytes.count)
        }
        harness.expectExactUploads()
    }

    @Test("S3 delivering the same event twice: one upload, one publish, one outcome; the copy skipped is logged like a slice")
    func duplicateDelivery() async throws {
        let harness = try await EndToEndHarness("duplicate")
        defer { Task { await harness.stop() } }
        try await harness.putReport("twice.csv", size: 80_000)
        // A worker process, for its log.
        let worker = try harness.spawnWorker("w")
        defer { worker.kill() }
        try await eventually(40, "the worker to get partitions") { worker.hasAssignment }
        let ids = try await harness.publish(["twice.csv", "twice.csv"])
        #expect(Set(ids).count == 1, "the same object version gives the same job id")
        let outcomes = try await harness.outcomes(1, within: 60)
        // The second copy waits behind the first one's slice, then is skipped.
        try await eventually(20, "the duplicate copy to be skipped") { worker.logged("stale or duplicate copy of a job skipped") }
        let skipped = try #require(worker.logLines.first { $0["msg"] == "stale or duplicate copy of a job skipped" })
        #expect(skipped["jobId"] == ids.first && skipped["stage"] == "upload" && skipped["slice"] == "0", "the copy's own job, stage and slice: \(skipped)")
        #expect(skipped["partition"] != nil && skipped["offset"] != nil && skipped["newestSlices"] != nil, "\(skipped)")
        worker.signal(SIGTERM)
        #expect(try await worker.wait(timeout: .seconds(20)) == 0)
        #expect(outcomes.first?.status == .completed)
        let inspection = harness.simulator.inspect()
        #expect(inspection.uploads.count == 1)
        #expect(inspection.publishes.count == 1)
        harness.expectExactUploads()
    }

    @Test("two reports published at the same instant for different spaces do not interfere")
    func simultaneous() async throws {
        let harness = try await EndToEndHarness("simultaneous")
        defer { Task { await harness.stop() } }
        let first = try await harness.putReport("finance.csv", size: 400_000)
        let second = try await harness.putReport("sales.csv", size: 250_000)
        let worker = try await harness.startWorker()
        _ = try await harness.publish(["finance.csv", "sales.csv"])

        let outcomes = try await harness.outcomes(2, within: 60)
        try await worker.stop()
        #expect(outcomes.allSatisfy { $0.status == .completed }, "\(describe(outcomes))")
        let inspection = harness.simulator.inspect()
        for (name, bytes) in [("finance", first), ("sales", second)] {
            let upload = try #require(inspection.uploads.first { $0.sourceName == name })
            #expect(upload.spaceID == "space-\(name)")
            #expect(upload.sha256 == EndToEndHarness.sha256(bytes))
            #expect(inspection.publishes.filter { $0.spaceID == "space-\(name)" }.count == 1)
        }
        harness.expectExactUploads()
    }
}

@Suite("End to end: several reports for one space")
struct SharedSpaceTests {
    @Test("reports for the same space publish one after another, each exactly once")
    func sharedSpace() async throws {
        let harness = try await EndToEndHarness("shared-space", routes: nil) { simulator in
            simulator.settings.publishJob.durationSeconds = 150
        }
        defer { Task { await harness.stop() } }
        try """
            routes:
              - name: one-space
                bucket: "\(harness.bucket)"
                spaceId: space-shared
                sourceName: "{stem}"
            """.write(toFile: harness.directory + "/routes.yaml", atomically: true, encoding: .utf8)
        for name in ["a", "b", "c"] { try await harness.putReport("\(name).csv", size: 100_000) }
        let worker = try await harness.startWorker()
        _ = try await harness.publish(["a.csv", "b.csv", "c.csv"])
        let outcomes = try await harness.outcomes(3, within: 60)
        try await worker.stop()
        #expect(outcomes.allSatisfy { $0.status == .completed }, "\(describe(outcomes))")
        #expect(harness.simulator.inspect().publishes.filter { $0.spaceID == "space-shared" }.count == 3)
        harness.expectExactUploads()
    }
}
