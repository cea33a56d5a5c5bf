/// Input to `baton publish --event` that is not an S3 event notification: not JSON, or JSON
/// of another shape. `reason` names the offending field (`Records[0].s3: missing`).
public struct UnusableNotification: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, with the JSON path of the offending field when there is one.
    public var reason: String

    /// An unusable notification for `reason`.
    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
