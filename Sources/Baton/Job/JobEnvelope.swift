import Foundation

/// The value of a `baton.jobs` message (DESIGN.md §3): the job's only state, carried
/// from slice to slice. Fields this version does not model survive a round trip.
public struct JobEnvelope: Sendable, Hashable, Codable, JSONObjectCoding {
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

    static var fields: [JSONField<JobEnvelope>] {
        [
            JSONField("version") { envelope, container, key in
                envelope.version = try container.decode(Int.self, forKey: key)
                guard envelope.version == Self.currentVersion else {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: container,
                        debugDescription: "unsupported envelope version \(envelope.version) (this worker reads version \(Self.currentVersion))"
                    )
                }
            } encode: { envelope, container, key in
                try container.encode(envelope.version, forKey: key)
            },
            .required("jobId", \.jobId), .required("createdAt", \.createdAt), .required("source", \.source), .required("target", \.target),
            // Read as a string first, so an unknown stage is named with the ones there are.
            JSONField("stage") { envelope, container, key in
                let name = try container.decode(String.self, forKey: key)
                guard let stage = JobStage(rawValue: name) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: container,
                        debugDescription: "unknown stage \"\(name)\" (expected one of \(JobStage.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                envelope.stage = stage
            } encode: { envelope, container, key in
                try container.encode(envelope.stage, forKey: key)
            },
            .required("retriesLeft", \.retriesLeft), .defaulted("slices", \.slices, 0), .nullable("notBefore", \.notBefore),
            .defaulted("birst", \.birst, BirstProgress()), .nullable("lastError", \.lastError),
            .omittedWhenNil("firstSliceAt", \.firstSliceAt), .omittedWhenNil("result", \.result),
        ]
    }

    static var decodingStart: JobEnvelope {
        JobEnvelope(jobId: "", createdAt: .distantPast, source: .decodingStart, target: .decodingStart, retriesLeft: 0)
    }

    public init(from decoder: any Decoder) throws { try self.init(fields: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeFields(to: encoder) }
}
