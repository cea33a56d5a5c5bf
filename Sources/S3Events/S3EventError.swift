/// Why a payload is not a usable S3 event, with the JSON path of the offending field so
/// an HTTP 400 or a CLI error can say precisely what to fix.
public struct S3EventError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
