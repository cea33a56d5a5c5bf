import Foundation

/// The value of a `baton.jobs` message (DESIGN.md §3): the job's only state, carried
/// from slice to slice. Fields this version does not model survive a round trip.
public struct JobEnvelope: Sendable, Hashable, Codable, PreservesUnknownFields {
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

    enum Field: String, CodingKey, CaseIterable {
        case version, jobId, createdAt, source, target, stage, retriesLeft, slices, notBefore, birst, lastError
        case firstSliceAt, result
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Field.self)
        version = try container.decode(Int.self, forKey: .version)
        guard version == Self.currentVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: container,
                debugDescription: "unsupported envelope version \(version) (this worker reads version \(Self.currentVersion))"
            )
        }
        jobId = try container.decode(String.self, forKey: .jobId)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        source = try container.decode(JobSource.self, forKey: .source)
        target = try container.decode(JobTarget.self, forKey: .target)
        let stageName = try container.decode(String.self, forKey: .stage)
        guard let stage = JobStage(rawValue: stageName) else {
            throw DecodingError.dataCorruptedError(
                forKey: .stage, in: container,
                debugDescription: "unknown stage \"\(stageName)\" (expected one of \(JobStage.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        self.stage = stage
        retriesLeft = try container.decode(Int.self, forKey: .retriesLeft)
        slices = try container.decodeIfPresent(Int.self, forKey: .slices) ?? 0
        notBefore = try container.decodeIfPresent(Date.self, forKey: .notBefore)
        birst = try container.decodeIfPresent(BirstProgress.self, forKey: .birst) ?? BirstProgress()
        lastError = try container.decodeIfPresent(JobError.self, forKey: .lastError)
        firstSliceAt = try container.decodeIfPresent(Date.self, forKey: .firstSliceAt)
        result = try container.decodeIfPresent(JobResult.self, forKey: .result)
        unknownFields = try Self.unknownFields(in: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Field.self)
        try container.encode(version, forKey: .version)
        try container.encode(jobId, forKey: .jobId)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(source, forKey: .source)
        try container.encode(target, forKey: .target)
        try container.encode(stage, forKey: .stage)
        try container.encode(retriesLeft, forKey: .retriesLeft)
        try container.encode(slices, forKey: .slices)
        try container.encode(notBefore, forKey: .notBefore)
        try container.encode(birst, forKey: .birst)
        try container.encode(lastError, forKey: .lastError)
        try container.encodeIfPresent(firstSliceAt, forKey: .firstSliceAt)
        try container.encodeIfPresent(result, forKey: .result)
        try encodeUnknownFields(to: encoder)
    }
}
