/// A topic as `baton topics` reports it.
public struct TopicStatus: Sendable, Hashable {
    /// The topic's name, with the configured prefix.
    public var name: String
    /// Partitions the cluster reports; nil when the topic did not show in its listing.
    public var partitionCount: Int?
    /// Whether `baton topics ensure` created it just now (false: it existed already).
    public var created: Bool

    /// A topic named `name` with `partitionCount` partitions, `created` now or not.
    public init(name: String, partitionCount: Int?, created: Bool) {
        self.name = name
        self.partitionCount = partitionCount
        self.created = created
    }
}
