/// Where a chunked upload stands: resume a later slice from `offset`.
public struct UploadProgress: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Stop: String, Sendable, Hashable, Codable {
        /// Every byte of the requested range was uploaded.
        case finished
        /// Too little time was left before the deadline for another chunk.
        case deadline
        /// Asked to stop (task cancelled, or `shouldStop` said so: graceful shutdown), between chunks.
        case cancelled
    }

    /// Next byte to upload: every byte before it has been accepted by Birst.
    public var offset: Int64
    /// End of the requested range (exclusive).
    public var end: Int64
    /// Bytes accepted during this call.
    public var bytesUploaded: Int64
    /// `uploadData` calls made during this call.
    public var chunksUploaded: Int
    public var stop: Stop

    public init(offset: Int64, end: Int64, bytesUploaded: Int64 = 0, chunksUploaded: Int = 0, stop: Stop) {
        self.offset = offset
        self.end = end
        self.bytesUploaded = bytesUploaded
        self.chunksUploaded = chunksUploaded
        self.stop = stop
    }

    public var isComplete: Bool { offset >= end }

    public var description: String {
        "UploadProgress(offset: \(offset)/\(end), uploaded: \(bytesUploaded) B in \(chunksUploaded) chunks, stop: \(stop.rawValue))"
    }
}
