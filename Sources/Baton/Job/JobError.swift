import Foundation

/// The last thing that went wrong, kept in the envelope for the next slice and for
/// operators reading the topic.
public struct JobError: Sendable, Hashable, Codable {
    public var kind: String
    public var message: String
    public var at: Date
    /// How many slices in a row ended with an error of this kind (drives the back-off).
    public var count: Int?

    public init(kind: String, message: String, at: Date = Date(), count: Int? = nil) {
        self.kind = kind
        self.message = message
        self.at = at
        self.count = count
    }
}
