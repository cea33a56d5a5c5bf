/// A `ByteSource` made from a closure, e.g. `{ range, deadline in try await s3.get(key, range) }`.
public struct ClosureByteSource: ByteSource {
    private let reader: @Sendable (Range<Int64>, Deadline) async throws -> [UInt8]

    public init(_ reader: @escaping @Sendable (Range<Int64>, Deadline) async throws -> [UInt8]) {
        self.reader = reader
    }

    public func read(_ range: Range<Int64>, deadline: Deadline) async throws -> [UInt8] {
        try await reader(range, deadline)
    }
}
