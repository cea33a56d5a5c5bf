/// `getLoadStatus` result: `Available` when the space is idle; any other value means busy.
public struct LoadStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var isAvailable: Bool { rawValue == "Available" }
    public var description: String { rawValue }
}
