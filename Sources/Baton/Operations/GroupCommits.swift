/// The offsets the workers' consumer group has committed on the jobs topic, as
/// `baton jobs` reads them to tell a finished job from one in flight (``InFlightRule``).
public struct GroupCommits: Sendable, Hashable {
    /// The group (`kafka.groupId`).
    public var group: String
    /// Per partition of the jobs topic, the committed offset (the next one the group
    /// reads); a partition with nothing committed is absent.
    public var offsets: [Int32: Int64]
    /// Why the offsets could not be read (then only outcomes decide), nil when they were.
    public var failure: String?

    public init(group: String, offsets: [Int32: Int64] = [:], failure: String? = nil) {
        self.group = group
        self.offsets = offsets
        self.failure = failure
    }

    /// A line for people when the commits could not decide for notify retries on
    /// `partitions`, nil when they could: the look-up failed, or the group has committed
    /// nothing there (it never ran, or `kafka.groupId` names another group), so a notify
    /// retry that ended without writing anything looks like one still to run. (For other
    /// jobs an outcome decides by itself.)
    public func caveat(forPartitions partitions: Set<Int32>) -> String? {
        guard !partitions.isEmpty else { return nil }
        if let failure {
            return "note: could not read group \(group)'s committed offsets (\(failure)); only outcomes decided"
        }
        let missing = partitions.filter { offsets[$0] == nil }.sorted()
        guard !missing.isEmpty else { return nil }
        return "note: group \(group) (kafka.groupId) has committed nothing on partition\(missing.count == 1 ? "" : "s") "
            + "\(missing.map(String.init).joined(separator: ", ")) of the jobs topic; there only outcomes decided"
    }
}
