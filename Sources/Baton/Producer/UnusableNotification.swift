/// Input to `baton publish --event` that is not an S3 event notification: not JSON, or JSON
/// of another shape. `reason` names the offending field (`Records[0].s3: missing`).
public struct UnusableNotification: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
