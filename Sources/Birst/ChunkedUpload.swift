/// Uploads bytes `[from, to)` of a `ByteSource` to an open upload token in chunks,
/// stopping between chunks when the deadline draws near, so that a later slice (maybe
/// on another worker) continues the same upload token from the reported offset.
///
/// The next chunk is read while the current one uploads. A chunk is only started when
/// the time left exceeds `safetyMargin` plus the slowest chunk so far.
public struct ChunkedUpload: Sendable {
    public var chunkSize: Int
    public var safetyMargin: Duration

    public init(chunkSize: Int = 1 << 20, safetyMargin: Duration = .seconds(1)) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        self.chunkSize = chunkSize
        self.safetyMargin = safetyMargin
    }

    public func upload(
        _ range: Range<Int64>,
        of source: some ByteSource,
        uploadToken: String,
        session: BirstSession,
        deadline: Deadline,
        shouldStop: @Sendable () -> Bool = { false },
        onChunk: @Sendable (UploadProgress) async -> Void = { _ in }
    ) async throws(UploadInterrupted) -> UploadProgress {
        var progress = UploadProgress(offset: range.lowerBound, end: range.upperBound, stop: .finished)
        var slowest: Duration = .zero
        var prefetch: Task<[UInt8], any Error>?
        defer { prefetch?.cancel() }

        while progress.offset < range.upperBound {
            // Checked between chunks only: a chunk in flight is never cut, so the offset
            // stays exact and the next slice can resume the same upload token.
            if Task.isCancelled || shouldStop() { progress.stop = .cancelled; return progress }
            if deadline.remaining < safetyMargin + slowest { progress.stop = .deadline; return progress }
            let started = ContinuousClock.now
            let chunk = progress.offset..<min(progress.offset + Int64(chunkSize), range.upperBound)
            let bytes: [UInt8]
            do {
                if let pending = prefetch {
                    prefetch = nil
                    bytes = try await pending.value
                } else {
                    bytes = try await source.read(chunk, deadline: deadline)
                }
                guard bytes.count == chunk.count else {
                    throw SourceShort(expected: chunk.count, got: bytes.count, range: chunk)
                }
            } catch {
                throw UploadInterrupted(progress: progress, chunkMayHaveBeenApplied: false, underlying: error)
            }
            let next = chunk.upperBound..<min(chunk.upperBound + Int64(chunkSize), range.upperBound)
            if !next.isEmpty { prefetch = read(next, from: source, deadline: deadline) }
            do {
                try await session.uploadData(uploadToken: uploadToken, bytes: bytes, deadline: deadline)
            } catch {
                throw UploadInterrupted(
                    progress: progress, chunkMayHaveBeenApplied: error.mayHaveTakenEffect, underlying: error)
            }
            progress.offset = chunk.upperBound
            progress.bytesUploaded += Int64(bytes.count)
            progress.chunksUploaded += 1
            slowest = max(slowest, ContinuousClock.now - started)
            await onChunk(progress)
        }
        progress.stop = .finished
        return progress
    }

    private func read(_ range: Range<Int64>, from source: some ByteSource, deadline: Deadline) -> Task<[UInt8], any Error> {
        Task { try await source.read(range, deadline: deadline) }
    }

    struct SourceShort: Error, CustomStringConvertible {
        var expected: Int
        var got: Int
        var range: Range<Int64>
        var description: String { "byte source returned \(got) bytes for \(range) (expected \(expected))" }
    }
}
