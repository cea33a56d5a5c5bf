/// What a payload holds: the object-created events to turn into jobs, and the records
/// deliberately ignored (deletions, S3's test event) with the reason.
public struct S3EventBatch: Sendable, Equatable {
    public struct Skipped: Sendable, Equatable {
        public var path: String
        public var reason: String
    }

    public var events: [S3ObjectEvent] = []
    public var skipped: [Skipped] = []

    public init(events: [S3ObjectEvent] = [], skipped: [Skipped] = []) {
        self.events = events
        self.skipped = skipped
    }

    mutating func append(_ other: S3EventBatch) {
        events += other.events
        skipped += other.skipped
    }
}
