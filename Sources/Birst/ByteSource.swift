/// Where upload bytes come from; the worker backs it with S3 ranged GETs.
public protocol ByteSource: Sendable {
    /// Exactly the bytes in `range` (offsets into the whole object), by `deadline`.
    func read(_ range: Range<Int64>, deadline: Deadline) async throws -> [UInt8]
}
