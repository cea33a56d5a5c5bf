/// Uploads bytes `[from, to)` of a `ByteSource` to an open upload token in chunks,
/// stopping between chunks when the deadline draws near, so that a later slice (maybe
/// on another worker) continues the same upload token from the reported offset.
///
/// The deadline is soft: it is only checked between chunks. A chunk in flight is never
/// cut by it — each `uploadData` call has its own timeout (`callTimeout`), so a slice
/// can overrun its deadline by at most one call's timeout. Cutting a chunk short would
/// leave its fate unknown (Birst may have appended it), which costs the whole upload.
///
/// The next chunk is read while the current one uploads. A chunk is only started when
/// the time left exceeds `safetyMargin` plus the slowest chunk so far.
public struct ChunkedUpload: Sendable {
    /// Bytes per `uploadData` call (raw, before base64).
    public var chunkSize: Int
    /// A chunk is started only while the deadline is further away than this plus the
    /// slowest chunk so far.
    public var safetyMargin: Duration
    /// The time one `uploadData` call may take, independent of the deadline.
    public var callTimeout: Duration

    public init(chunkSize: Int = 1 << 20, safetyMargin: Duration = .seconds(1), callTimeout: Duration = .seconds(60)) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        precondition(callTimeout > .zero, "callTimeout must be positive")
        self.chunkSize = chunkSize
        self.safetyMargin = safetyMargin
        self.callTimeout = callTimeout
    }

    /// Uploads `range` of `source`.
    ///
    /// - Parameters:
    ///   - deadline: soft: no chunk starts after it (minus the margin); a chunk in flight
    ///     runs to its own `callTimeout`. Byte-source reads are bounded by it.
    ///   - shouldStop: checked between chunks (graceful shutdown).
    ///   - abandon: when given, returns when a chunk in flight must be given up (the
    ///     worker is stopping and cannot wait for the call's timeout). An abandoned chunk
    ///     counts as possibly applied. It is cancelled when the chunk ends first.
    ///   - onChunk: called after every chunk Birst accepted.
    /// - Returns: where the upload stands (`stop` says why it returned).
    /// - Throws: ``UploadInterrupted`` with the confirmed offset and whether the failed
    ///   chunk may have been applied (any doubt counts as applied).
    public func upload(
        _ range: Range<Int64>,
        of source: some ByteSource,
        uploadToken: String,
        session: BirstSession,
        deadline: Deadline,
        shouldStop: @Sendable () -> Bool = { false },
        abandon: (@Sendable () async -> Void)? = nil,
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
                try await send(bytes, uploadToken: uploadToken, session: session, abandon: abandon)
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

    /// One `uploadData` call with its own deadline, raced against `abandon`.
    private func send(
        _ bytes: [UInt8], uploadToken: String, session: BirstSession, abandon: (@Sendable () async -> Void)?
    ) async throws(BirstError) {
        let callDeadline = Deadline.after(callTimeout)
        guard let abandon else {
            try await session.uploadData(uploadToken: uploadToken, bytes: bytes, deadline: callDeadline)
            return
        }
        let outcome: Result<Void, BirstError>? = await withTaskGroup(of: Result<Void, BirstError>?.self) { group in
            group.addTask {
                do throws(BirstError) {
                    try await session.uploadData(uploadToken: uploadToken, bytes: bytes, deadline: callDeadline)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                await abandon()
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .success?: return
        case .failure(let error)?: throw error
        case nil:
            throw BirstError(
                kind: .deadlineExceeded, operation: .uploadData,
                message: "the chunk in flight was abandoned because the worker is stopping", mayHaveTakenEffect: true)
        }
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
