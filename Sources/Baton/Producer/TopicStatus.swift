/// A topic as `baton topics` reports it.
public struct TopicStatus: Sendable, Hashable {
    public var name: String
    /// Partitions the cluster reports; nil when the topic did not show in its listing.
    public var partitionCount: Int?
    /// Whether `baton topics ensure` created it just now (false: it existed already).
    public var created: Bool

    public init(name: String, partitionCount: Int?, created: Bool) {
        self.name = name
        self.partitionCount = partitionCount
        self.created = created
    }
}
