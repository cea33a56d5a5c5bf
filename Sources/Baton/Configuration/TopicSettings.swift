/// The three topics of DESIGN.md §2. Names take an optional prefix so several
/// environments can share one cluster.
public struct TopicSettings: Sendable, Equatable {
    public struct Topic: Sendable, Equatable {
        public var name: String
        public var partitions: Int
    }

    /// Put in front of every name (already part of ``Topic/name``).
    public var prefix: String = ""
    public var jobs: Topic
    public var deadLetters: Topic
    public var outcomes: Topic
    /// -1 asks the broker for its default (`default.replication.factor`).
    public var replicationFactor: Int

    public var all: [Topic] { [jobs, deadLetters, outcomes] }

    static func load(_ settings: SettingsReader) throws -> TopicSettings {
        let prefix = settings.string("topics.prefix", default: "")
        func topic(_ key: String, name: String, partitions: Int) throws -> Topic {
            Topic(
                name: prefix + settings.string("topics.\(key).name", default: name),
                partitions: try settings.int("topics.\(key).partitions", default: partitions, range: 1...10_000)
            )
        }
        return TopicSettings(
            prefix: prefix,
            jobs: try topic("jobs", name: "baton.jobs", partitions: 12),
            deadLetters: try topic("deadLetters", name: "baton.jobs.dlq", partitions: 3),
            outcomes: try topic("outcomes", name: "baton.outcomes", partitions: 3),
            replicationFactor: try settings.int("topics.replicationFactor", default: -1, range: -1...32)
        )
    }
}
