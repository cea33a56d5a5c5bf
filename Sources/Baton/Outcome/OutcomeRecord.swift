import Foundation

/// The value of a `baton.outcomes` message: one per finished job, keyed by job id, for
/// audit, notifications and dashboards. A worker's record names the message whose run
/// produced it (header ``JobHeaders/source``), so a second run of that message does not
/// record it again (``OutcomeLedger``); README *Outcomes once* lists the cases that can
/// still repeat one.
public struct OutcomeRecord: Sendable, Hashable, Codable {
    public struct Timings: Sendable, Hashable, Codable {
        public var createdAt: Date
        public var firstSliceAt: Date?
        public var finishedAt: Date
        /// From job creation to its first slice.
        public var queuedSeconds: Double?
        /// From the upload's start to the end of Birst's processing.
        public var birstSeconds: Double?
        public var totalSeconds: Double
    }

    public var version: Int = 1
    public var jobId: String
    public var status: JobResult.Status
    public var message: String?
    public var errorKind: String?
    /// Absent only for messages that could not be read as a job.
    public var source: JobSource?
    public var target: JobTarget?
    public var slices: Int
    public var bytesUploaded: Int
    public var timings: Timings
    public var worker: String?

    public init(envelope: JobEnvelope, result: JobResult, worker: String?) {
        let birstStart = envelope.birst.uploadStartedAt
        let birstEnd = envelope.birst.publishFinishedAt ?? envelope.birst.uploadFinishedAt
        self.jobId = envelope.jobId
        self.status = result.status
        self.message = result.message
        self.errorKind = result.errorKind
        self.source = envelope.source
        self.target = envelope.target
        self.slices = envelope.slices
        self.bytesUploaded = envelope.birst.uploadedBytes
        self.timings = Timings(
            createdAt: envelope.createdAt,
            firstSliceAt: envelope.firstSliceAt,
            finishedAt: result.finishedAt,
            queuedSeconds: envelope.firstSliceAt.map { $0.timeIntervalSince(envelope.createdAt) },
            birstSeconds: birstStart.flatMap { start in birstEnd.map { $0.timeIntervalSince(start) } },
            totalSeconds: result.finishedAt.timeIntervalSince(envelope.createdAt)
        )
        self.worker = worker
    }

    /// For events no route matches: there is no job, only this record.
    public init(unrouted source: JobSource, jobId: String, at: Date = Date(), message: String) {
        self.jobId = jobId
        self.status = .unrouted
        self.message = message
        self.source = source
        self.slices = 0
        self.bytesUploaded = 0
        self.timings = Timings(createdAt: at, finishedAt: at, totalSeconds: 0)
    }

    /// For events that name nothing to move (a folder marker, an empty object the route
    /// skips): there is no job, only this record, with `message` saying why.
    public init(skipped source: JobSource, jobId: String, at: Date = Date(), message: String) {
        self.jobId = jobId
        self.status = .skipped
        self.message = message
        self.source = source
        self.slices = 0
        self.bytesUploaded = 0
        self.timings = Timings(createdAt: at, finishedAt: at, totalSeconds: 0)
    }

    /// For a message on the jobs topic that is not a readable job but names one (its key).
    public init(poison jobId: String, at: Date = Date(), message: String, worker: String?) {
        self.jobId = jobId
        self.status = .deadLettered
        self.message = message
        self.errorKind = DeadLetterKind.poison.rawValue
        self.slices = 0
        self.bytesUploaded = 0
        self.timings = Timings(createdAt: at, finishedAt: at, totalSeconds: 0)
        self.worker = worker
    }

    public static func encode(_ record: OutcomeRecord) -> [UInt8] {
        // Encoding a value of our own types cannot fail.
        Array(try! BatonJSON.encoder().encode(record))
    }

    public static func decode(_ bytes: [UInt8]) throws -> OutcomeRecord {
        try BatonJSON.decoder().decode(OutcomeRecord.self, from: Data(bytes))
    }
}
