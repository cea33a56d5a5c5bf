import Birst
import Foundation

/// One conversation with a Birst server, as the stages use it: the SOAP operations of a
/// job's relay (birst-api.md) and the affinity cookie that names the server. The worker
/// talks through a ``BirstSession``; unit tests through a scripted fake.
///
/// Every operation throws ``BirstError``, whose `mayHaveTakenEffect` says whether a
/// failed non-idempotent call (`beginDataUpload`, `uploadData`, `finishDataUpload`,
/// `publishData`) may have been applied.
public protocol BirstConnection: Sendable {
    /// The Birst endpoint (URL) this conversation talks to; recorded as `birst.server`.
    var server: String { get }
    /// The cookie jar in its compact form, to carry in the job (`birst.affinityCookie`).
    var affinityCookie: String { get async }

    func getLoadStatus(spaceID: String, deadline: Deadline) async throws(BirstError) -> LoadStatus
    /// Returns the upload token.
    func beginDataUpload(spaceID: String, sourceName: String, deadline: Deadline) async throws(BirstError) -> String
    func setDataUploadOptions(uploadToken: String, options: [DataUploadOption], deadline: Deadline) async throws(BirstError)
    /// Appends `range` of `source` to the upload in chunks (`uploadData` calls), as
    /// ``ChunkedUpload/upload(_:of:uploadToken:session:deadline:shouldStop:abandon:onChunk:)``
    /// describes: where it stands when it returns, ``UploadInterrupted`` when a chunk failed.
    func upload(
        _ range: Range<Int64>, of source: some ByteSource, uploadToken: String, chunking: ChunkedUpload, deadline: Deadline,
        shouldStop: @Sendable () -> Bool, abandon: (@Sendable () async -> Void)?
    ) async throws(UploadInterrupted) -> UploadProgress
    func finishDataUpload(uploadToken: String, deadline: Deadline) async throws(BirstError)
    /// Starts processing; returns the publish job token.
    func publishData(spaceID: String, subgroups: [String], date: Date, deadline: Deadline) async throws(BirstError) -> String
    func isJobComplete(jobToken: String, deadline: Deadline) async throws(BirstError) -> Bool
    func getJobStatus(jobToken: String, deadline: Deadline) async throws(BirstError) -> JobStatus
}

extension BirstSession: BirstConnection {
    public nonisolated var server: String { client.configuration.endpoint }

    public nonisolated func upload(
        _ range: Range<Int64>, of source: some ByteSource, uploadToken: String, chunking: ChunkedUpload, deadline: Deadline,
        shouldStop: @Sendable () -> Bool, abandon: (@Sendable () async -> Void)?
    ) async throws(UploadInterrupted) -> UploadProgress {
        try await chunking.upload(
            range, of: source, uploadToken: uploadToken, session: self, deadline: deadline, shouldStop: shouldStop, abandon: abandon)
    }
}
