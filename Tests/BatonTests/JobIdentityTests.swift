import Baton
import Foundation
import S3Events
import Testing

/// Job identity (issue 8 §3): one job per write of a key, one job per duplicate delivery.
@Suite("Job identity and objects with nothing to move")
struct JobIdentityTests {
    /// Two PUTs of one key as Ceph RGW reports them on an unversioned bucket.
    static func cephRecord(sequencer: String, eTag: String, size: Int = 100, key: String = "daily/report.csv") -> String {
        """
        {"eventVersion":"2.2","eventSource":"ceph:s3","eventName":"ObjectCreated:Put",
         "s3":{"bucket":{"name":"reports"},
               "object":{"key":"\(key)","size":\(size),"eTag":"\(eTag)","versionId":"","sequencer":"\(sequencer)"}}}
        """
    }

    static func events(_ records: [String]) throws -> [S3ObjectEvent] {
        try S3EventParser.parse(Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)).events
    }

    @Test("Ceph's empty versionId is no version id: two writes of one key are two jobs")
    func cephEmptyVersionId() throws {
        let events = try Self.events([
            Self.cephRecord(sequencer: "1C5A0F00", eTag: "0aa1b7d2c0e9d4a5f1c3a6e8b0d2f4a6"),
            Self.cephRecord(sequencer: "1C5A0F7A", eTag: "5f0c9e2d8b7a6c4e3d2f1a0b9c8d7e6f"),
        ])
        #expect(events.allSatisfy { $0.versionId == nil }, "an empty string is stored as absent")
        #expect(JobID.derive(for: events[0]) != JobID.derive(for: events[1]))
    }

    @Test("a duplicate delivery of one event (same sequencer and eTag) is one job")
    func duplicateDelivery() throws {
        let record = Self.cephRecord(sequencer: "1C5A0F7A", eTag: "5f0c9e2d8b7a6c4e3d2f1a0b9c8d7e6f")
        let events = try Self.events([record, record])
        #expect(JobID.derive(for: events[0]) == JobID.derive(for: events[1]))
    }

    @Test("writes with the same content (eTag) but different sequencers are two jobs; a quoted eTag is the same eTag")
    func sameContentRewritten() {
        let a = S3ObjectEvent(bucket: "b", key: "k", eTag: "abc", sequencer: "01")
        let b = S3ObjectEvent(bucket: "b", key: "k", eTag: "abc", sequencer: "02")
        let quoted = S3ObjectEvent(bucket: "b", key: "k", eTag: "\"abc\"", sequencer: "01")
        #expect(JobID.derive(for: a) != JobID.derive(for: b))
        #expect(JobID.derive(for: a) == JobID.derive(for: quoted))
    }

    @Test("a non-empty versionId alone names the write (ids of versioned jobs are unchanged)")
    func versionIdWins() {
        let event = S3ObjectEvent(bucket: "b", key: "k", eTag: "abc", versionId: "v1", sequencer: "01")
        #expect(JobID.derive(for: event) == JobID.derive(bucket: "b", key: "k", discriminator: "v1"))
    }

    @Test("two manual publishes of one key without version or eTag are two jobs")
    func manualPublishes() {
        let first = S3ObjectEvent(bucket: "b", key: "k", eventTime: "2026-11-30T10:00:00.000Z")
        let second = S3ObjectEvent(bucket: "b", key: "k", eventTime: "2026-11-30T10:05:00.000Z")
        #expect(JobID.derive(for: first) != JobID.derive(for: second))
    }

    static let routes = """
    routes:
      - name: uploads-empty
        bucket: reports
        key: "keep/**"
        spaceId: space-keep
        sourceName: "{stem}"
        emptyObjects: upload
      - name: everything
        bucket: reports
        spaceId: space-all
        sourceName: "{stem}"
    """

    @Test("a folder marker is skipped with a reason whatever the route; an empty object follows its route's emptyObjects (default skip)")
    func folderMarkersAndEmptyObjects() throws {
        let factory = JobFactory(routes: try RouteTable.parse(Self.routes), retries: 5)
        func made(_ key: String, size: Int?) -> JobFactory.Made {
            factory.make(S3ObjectEvent(bucket: "reports", key: key, size: size, eTag: "d41d8cd98f00b204e9800998ecf8427e", sequencer: "01"))
        }
        guard case .skipped(let folder) = made("incoming/", size: 0) else { Issue.record("folder marker became a job"); return }
        #expect(folder.status == .skipped && folder.message?.contains("folder marker") == true)
        guard case .skipped = made("keep/sub/", size: 0) else { Issue.record("folder marker on an uploading route became a job"); return }
        guard case .skipped(let empty) = made("daily/empty.csv", size: 0) else { Issue.record("empty object became a job"); return }
        #expect(empty.message?.contains("empty object") == true)
        #expect(empty.target?.spaceId == "space-all")
        guard case .job(let kept) = made("keep/empty.csv", size: 0) else { Issue.record("emptyObjects: upload must upload"); return }
        #expect(kept.target.emptyObjects == .upload)
        guard case .job = made("daily/full.csv", size: 10) else { Issue.record("a report must become a job"); return }
        guard case .job = made("daily/unknown-size.csv", size: nil) else { Issue.record("unknown size: the worker decides"); return }
    }

    @Test("the route's emptyObjects travels in the job envelope")
    func emptyObjectsInEnvelope() throws {
        let factory = JobFactory(routes: try RouteTable.parse(Self.routes), retries: 5)
        guard case .job(let job) = factory.make(S3ObjectEvent(bucket: "reports", key: "keep/a.csv", sequencer: "01")) else {
            Issue.record("expected a job"); return
        }
        let decoded = try JobEnvelopeCodec.decode(key: Array(job.jobId.utf8), value: JobEnvelopeCodec.encode(job)).get()
        #expect(decoded.target.emptyObjects == .upload)
    }
}
