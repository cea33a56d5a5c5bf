import Foundation

/// The value of a `baton.jobs` message (DESIGN.md §3): the job's only state, carried
/// from slice to slice. Fields this version does not model survive a round trip.
public struct JobEnvelope: Sendable, Hashable, Codable {
    public static let currentVersion = 1

    public var version: Int
    public var jobId: String
    public var createdAt: Date
    public var source: JobSource
    public var target: JobTarget
    public var stage: JobStage
    public var retriesLeft: Int
    public var slices: Int
    public var notBefore: Date?
    public var birst: BirstProgress
    public var lastError: JobError?
    /// When the first slice started: "queued" time is measured up to it.
    public var firstSliceAt: Date?
    /// Set once the Birst work has ended and only notifications remain.
    public var result: JobResult?
    /// Fields of the envelope this version does not model, kept verbatim and written back: a newer producer and an older worker can
    /// then coexist during a rolling deploy (DESIGN.md §3).
    public var unknownFields: [String: JSONValue] = [:]

    public init(jobId: String, createdAt: Date = Date(), source: JobSource, target: JobTarget, retriesLeft: Int) {
        self.version = Self.currentVersion
        self.jobId = jobId
        self.createdAt = createdAt
        self.source = source
        self.target = target
        self.stage = .upload
        self.retriesLeft = retriesLeft
        self.slices = 0
        self.birst = BirstProgress()
    }

    private enum Field {
        static let version = AnyCodingKey("version"), jobId = AnyCodingKey("jobId"), createdAt = AnyCodingKey("createdAt")
        static let source = AnyCodingKey("source"), target = AnyCodingKey("target"), stage = AnyCodingKey("stage")
        static let retriesLeft = AnyCodingKey("retriesLeft"), slices = AnyCodingKey("slices"), notBefore = AnyCodingKey("notBefore")
        static let birst = AnyCodingKey("birst"), lastError = AnyCodingKey("lastError"), firstSliceAt = AnyCodingKey("firstSliceAt")
        static let result = AnyCodingKey("result")
        static let known: Set<String> = [
            "version", "jobId", "createdAt", "source", "target", "stage", "retriesLeft", "slices", "notBefore", "birst", "lastError",
            "firstSliceAt", "result",
        ]
    }

    /// Fields are read in this order, so the first problem found is the one a dead letter
    /// names. Required: `version` (this worker's), `jobId`, `createdAt`, `source`, `target`,
    /// a known `stage`, `retriesLeft`; `slices` and `birst` default when absent or null;
    /// `notBefore` and `lastError` are written as `null` when nil, the later `firstSliceAt`
    /// and `result` left out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        version = try container.decode(Int.self, forKey: Field.version)
        guard version == Self.currentVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: Field.version, in: container,
                debugDescription: "unsupported envelope version \(version) (this worker reads version \(Self.currentVersion))"
            )
        }
        jobId = try container.decode(String.self, forKey: Field.jobId)
        createdAt = try container.time(Field.createdAt)
        source = try container.decode(JobSource.self, forKey: Field.source)
        target = try container.decode(JobTarget.self, forKey: Field.target)
        // Read as a string first, so an unknown stage is named with the ones there are.
        let stageName = try container.decode(String.self, forKey: Field.stage)
        guard let stage = JobStage(rawValue: stageName) else {
            throw DecodingError.dataCorruptedError(
                forKey: Field.stage, in: container,
                debugDescription: "unknown stage \"\(stageName)\" (expected one of \(JobStage.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        self.stage = stage
        retriesLeft = try container.decode(Int.self, forKey: Field.retriesLeft)
        slices = try container.decodeIfPresent(Int.self, forKey: Field.slices) ?? 0
        notBefore = try container.timeIfPresent(Field.notBefore)
        birst = try container.decodeIfPresent(BirstProgress.self, forKey: Field.birst) ?? BirstProgress()
        lastError = try container.decodeIfPresent(JobError.self, forKey: Field.lastError)
        firstSliceAt = try container.timeIfPresent(Field.firstSliceAt)
        result = try container.decodeIfPresent(JobResult.self, forKey: Field.result)
        unknownFields = try container.unknownFields(known: Field.known)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encode(version, forKey: Field.version)
        try container.encode(jobId, forKey: Field.jobId)
        try container.encodeTime(createdAt, forKey: Field.createdAt)
        try container.encode(source, forKey: Field.source)
        try container.encode(target, forKey: Field.target)
        try container.encode(stage, forKey: Field.stage)
        try container.encode(retriesLeft, forKey: Field.retriesLeft)
        try container.encode(slices, forKey: Field.slices)
        try container.encodeTimeOrNull(notBefore, forKey: Field.notBefore)
        try container.encode(birst, forKey: Field.birst)
        try container.encodeOrNull(lastError, forKey: Field.lastError)
        try container.encodeTimeIfPresent(firstSliceAt, forKey: Field.firstSliceAt)
        try container.encodeIfPresent(result, forKey: Field.result)
        try container.encodeUnknown(unknownFields)
    }
}
