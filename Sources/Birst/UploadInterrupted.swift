/// A chunked upload that failed part-way. Every byte before `progress.offset` was
/// accepted. When `chunkMayHaveBeenApplied` is true, Birst may also have appended the
/// failed chunk (its answer was lost): resending it could duplicate data, so the safe
/// continuation is a new upload from byte 0.
public struct UploadInterrupted: Error, Sendable, CustomStringConvertible {
    public var progress: UploadProgress
    public var chunkMayHaveBeenApplied: Bool
    /// A `BirstError` from the upload, or the byte source's error.
    public var underlying: any Error

    public init(progress: UploadProgress, chunkMayHaveBeenApplied: Bool, underlying: any Error) {
        self.progress = progress
        self.chunkMayHaveBeenApplied = chunkMayHaveBeenApplied
        self.underlying = underlying
    }

    public var description: String {
        "upload interrupted at byte \(progress.offset) of \(progress.end)"
            + (chunkMayHaveBeenApplied ? " (the failed chunk may have been applied)" : "") + ": \(underlying)"
    }
}
