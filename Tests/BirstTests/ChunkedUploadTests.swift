import StackTestSupport
import Birst
import BirstSimulator
import Curl
import Testing

@Suite("Chunked, resumable upload")
struct ChunkedUploadTests {
    /// Deterministic pseudo-random bytes.
    static func bytes(count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    @Test("5 MiB in 64 KiB chunks across three slices arrives byte-identical")
    func threeSlices() async throws {
        let file = Self.bytes(count: 5 << 20)
        let source = ClosureByteSource { range, _ in Array(file[Int(range.lowerBound)..<Int(range.upperBound)]) }
        let total = Int64(file.count)
        let chunk = 64 << 10
        try await SimulatorHarness.with(timeout: 90) { harness in
            let uploader = ChunkedUpload(chunkSize: chunk, safetyMargin: .milliseconds(50))
            let first = harness.session()
            let token = try await first.beginDataUpload(spaceID: "big", sourceName: "five-mib", deadline: .limit(20))

            // Slice 1 runs out of time: every uploadData takes ≥ 30 ms (80 of them ≥ 2.4 s), the
            // slice has 1 s.
            try await harness.setFaults(FaultPlan(operations: ["uploadData": FaultKnobs(latencySeconds: 0.03)]))
            let one = try await uploader.upload(
                0..<total, of: source, uploadToken: token, session: first, deadline: .after(.seconds(1)))
            #expect(one.stop == .deadline)
            #expect(one.offset > 0 && one.offset < total)
            #expect(one.offset % Int64(chunk) == 0)
            #expect(one.bytesUploaded == one.offset)
            try await harness.setFaults(FaultPlan())

            // Slice 2 resumes from the reported offset and stops at the end of its range.
            let two = try await uploader.upload(
                one.offset..<min(one.offset + (2 << 20), total), of: source, uploadToken: token, session: first,
                deadline: .limit(30))
            #expect(two.stop == .finished)
            #expect(two.offset > one.offset && two.offset < total)

            // Slice 3: another worker, with only the cookie and the offset from the envelope.
            let carried = await first.affinityCookie
            let other = try #require(
                BirstSession(client: harness.client, credentials: SimulatorHarness.credentials, affinityCookie: carried))
            let three = try await uploader.upload(
                two.offset..<total, of: source, uploadToken: token, session: other, deadline: .limit(30))
            #expect(three.stop == .finished && three.isComplete)
            #expect(three.offset == total)
            try await other.finishDataUpload(uploadToken: token, deadline: .limit(20))

            let upload = try #require(try await harness.inspect().uploads.first)
            #expect(upload.bytesReceived == total)
            #expect(upload.chunks == 80)
            #expect(upload.sha256 == ContentHash.sha256(file))
            #expect(upload.finished)
        }
    }

    @Test("A failed chunk reports the confirmed offset and whether it may have been applied")
    func interrupted() async throws {
        let file = Self.bytes(count: 300_000)
        let source = ClosureByteSource { range, _ in Array(file[Int(range.lowerBound)..<Int(range.upperBound)]) }
        try await SimulatorHarness.with { harness in
            let session = harness.session()
            let token = try await session.beginDataUpload(spaceID: "s", sourceName: "n", deadline: .limit(20))
            let uploader = ChunkedUpload(chunkSize: 100_000, safetyMargin: .milliseconds(10))
            let progress = try await uploader.upload(
                0..<100_000, of: source, uploadToken: token, session: session, deadline: .limit(20))
            #expect(progress.offset == 100_000)

            try await harness.setFaults(FaultPlan(operations: ["uploadData": FaultKnobs(dropResponseRate: 1)]))
            do throws(UploadInterrupted) {
                _ = try await uploader.upload(
                    100_000..<300_000, of: source, uploadToken: token, session: session, deadline: .limit(20))
                Issue.record("expected an interruption")
            } catch {
                #expect(error.progress.offset == 100_000)
                #expect(error.chunkMayHaveBeenApplied)  // the answer was lost after Birst appended
            }
            // Applied at least once (libcurl may even have resent it on a fresh connection):
            // exactly why such an upload must restart from byte 0.
            let afterDrop = try #require(try await harness.inspect().uploads.first?.bytesReceived)
            #expect(afterDrop >= 200_000)
            try await harness.setFaults(FaultPlan(operations: ["uploadData": FaultKnobs(transientFaultRate: 1)]))
            do throws(UploadInterrupted) {
                _ = try await uploader.upload(
                    200_000..<300_000, of: source, uploadToken: token, session: session, deadline: .limit(20))
                Issue.record("expected an interruption")
            } catch {
                let underlying = try #require(error.underlying as? BirstError)
                #expect(underlying.kind == .transient)
                #expect(error.progress.offset == 200_000)
            }
            // A transient SOAP fault means the call did not run: nothing was appended.
            #expect(try await harness.inspect().uploads.first?.bytesReceived == afterDrop)
        }
    }
}

@Suite("Chunked upload with the default chunk size")
struct DefaultChunkTests {
    @Test("1 MiB chunks (1.4 MB of base64 each) go out without waiting for 100 Continue")
    func defaultChunks() async throws {
        let file = ChunkedUploadTests.bytes(count: 3 << 20)
        let source = ClosureByteSource { range, _ in Array(file[Int(range.lowerBound)..<Int(range.upperBound)]) }
        try await SimulatorHarness.with { harness in
            let session = harness.session()
            let token = try await session.beginDataUpload(spaceID: "s", sourceName: "n", deadline: .limit(20))
            let progress = try await ChunkedUpload().upload(
                0..<Int64(file.count), of: source, uploadToken: token, session: session, deadline: .limit(60))
            #expect(progress.isComplete && progress.chunksUploaded == 3)
            let inspection = try await harness.inspect()
            let upload = try #require(inspection.uploads.first)
            #expect(upload.sha256 == ContentHash.sha256(file) && upload.chunks == 3)
            // libcurl adds "Expect: 100-continue" to bodies over 1 MiB unless told not to, then
            // waits up to 1 s per chunk for an interim answer.
            let uploads = inspection.calls.filter { $0.operation == "uploadData" }
            #expect(uploads.count == 3 && uploads.allSatisfy { $0.requestBytes > 1 << 20 })
            #expect(!uploads.contains { $0.expectedContinue })
        }
    }
}

@Suite("Calls whose fate is unknown")
struct UnknownFateTests {
    @Test("uploadData applied, then timed out on a reused keep-alive connection, may have been applied")
    func appliedThenTimedOutOnReusedConnection() async throws {
        try await SimulatorHarness.with(timeout: 60) { harness in
            let session = harness.session()
            // Login and beginDataUpload leave an idle keep-alive connection that the next call reuses.
            let token = try await session.beginDataUpload(spaceID: "s", sourceName: "n", deadline: .after(.seconds(30)))
            try await harness.setFaults(FaultPlan(operations: ["uploadData": FaultKnobs(delayAfterApplySeconds: 4)]))
            do throws(BirstError) {
                try await session.uploadData(uploadToken: token, bytes: Array(repeating: 7, count: 1000), deadline: .after(.seconds(1)))
                Issue.record("expected the call to time out")
            } catch {
                #expect(error.mayHaveTakenEffect, "the request went out on a reused connection: \(error)")
            }
            // Birst applied the chunk (the client gave up before its answer came).
            try await eventually(10, "the chunk to be applied") {
                try await harness.inspect().uploads.first?.bytesReceived == 1000
            }
            // The simulator records a call when it answers, 4 s after applying it.
            try await eventually(15, "the delayed answer") {
                try await harness.inspect().calls.contains { $0.operation == "uploadData" }
            }
            let calls = try await harness.inspect().calls.filter { $0.operation == "uploadData" }
            #expect(calls.map(\.injected) == ["delayAfterApply"])
        }
    }

    @Test("a chunk in flight is not cut by the slice deadline: it runs to its own call timeout")
    func chunkOverrunsDeadline() async throws {
        let file = ChunkedUploadTests.bytes(count: 200_000)
        let source = ClosureByteSource { range, _ in Array(file[Int(range.lowerBound)..<Int(range.upperBound)]) }
        try await SimulatorHarness.with(timeout: 60) { harness in
            let session = harness.session()
            let token = try await session.beginDataUpload(spaceID: "s", sourceName: "n", deadline: .after(.seconds(30)))
            // Every chunk is applied, then answered 2 s later: past the 1 s deadline.
            try await harness.setFaults(FaultPlan(operations: ["uploadData": FaultKnobs(delayAfterApplySeconds: 2)]))
            let uploader = ChunkedUpload(chunkSize: 100_000, safetyMargin: .milliseconds(10), callTimeout: .seconds(20))
            let progress = try await uploader.upload(
                0..<200_000, of: source, uploadToken: token, session: session, deadline: .after(.seconds(1)))
            #expect(progress.stop == .deadline)
            #expect(progress.offset == 100_000, "the first chunk finished although the deadline passed during it")
            try await harness.setFaults(FaultPlan())
            let rest = try await uploader.upload(
                progress.offset..<200_000, of: source, uploadToken: token, session: session, deadline: .after(.seconds(30)))
            #expect(rest.isComplete)
            let upload = try #require(try await harness.inspect().uploads.first)
            #expect(upload.bytesReceived == 200_000 && upload.sha256 == ContentHash.sha256(file))
        }
    }

    @Test("a chunk abandoned because the worker stops counts as possibly applied")
    func abandonedChunk() async throws {
        let file = ChunkedUploadTests.bytes(count: 100_000)
        let source = ClosureByteSource { range, _ in Array(file[Int(range.lowerBound)..<Int(range.upperBound)]) }
        try await SimulatorHarness.with(timeout: 60) { harness in
            let session = harness.session()
            let token = try await session.beginDataUpload(spaceID: "s", sourceName: "n", deadline: .after(.seconds(30)))
            try await harness.setFaults(FaultPlan(operations: ["uploadData": FaultKnobs(delayAfterApplySeconds: 8)]))
            let uploader = ChunkedUpload(chunkSize: 100_000, safetyMargin: .milliseconds(10), callTimeout: .seconds(20))
            let started = ContinuousClock.now
            do throws(UploadInterrupted) {
                _ = try await uploader.upload(
                    0..<100_000, of: source, uploadToken: token, session: session, deadline: .after(.seconds(20)),
                    abandon: { try? await Task.sleep(for: .milliseconds(300)) })
                Issue.record("expected the chunk to be abandoned")
            } catch {
                #expect(error.chunkMayHaveBeenApplied)
                #expect(error.progress.offset == 0)
            }
            #expect(ContinuousClock.now - started < .seconds(6), "abandoned, not answered (8 s) nor timed out (20 s)")
        }
    }
}
