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

    /// The space's load status: `Available`, or busy with a load or publish.
    func getLoadStatus(spaceID: String, deadline: Deadline) async throws(BirstError) -> LoadStatus
    /// Opens an upload into `sourceName`; returns the upload token.
    func beginDataUpload(spaceID: String, sourceName: String, deadline: Deadline) async throws(BirstError) -> String
    /// The route's upload options (`name=value`), before the first chunk.
    func setDataUploadOptions(uploadToken: String, options: [DataUploadOption], deadline: Deadline) async throws(BirstError)
    /// Appends `range` of `source` to the upload in chunks (`uploadData` calls), as
    /// ``ChunkedUpload/upload(_:of:uploadToken:session:deadline:shouldStop:abandon:onChunk:)``
    /// describes: where it stands when it returns, ``UploadInterrupted`` when a chunk failed.
    func upload(
        _ range: Range<Int64>, of source: some ByteSource, uploadToken: String, chunking: ChunkedUpload, deadline: Deadline,
        shouldStop: @Sendable () -> Bool, abandon: (@Sendable () async -> Void)?
    ) async throws(UploadInterrupted) -> UploadProgress
    /// Ends the upload; Birst then processes it (poll the upload token).
    func finishDataUpload(uploadToken: String, deadline: Deadline) async throws(BirstError)
    /// Starts processing `subgroups` (empty: all) as of `date`; returns the publish job token.
    func publishData(spaceID: String, subgroups: [String], date: Date, deadline: Deadline) async throws(BirstError) -> String
    /// Whether the upload or publish job of `jobToken` has ended (either way).
    func isJobComplete(jobToken: String, deadline: Deadline) async throws(BirstError) -> Bool
    /// How an ended job went: `Complete`, `None` (an upload without errors) or `Failed`.
    func getJobStatus(jobToken: String, deadline: Deadline) async throws(BirstError) -> JobStatus
}

extension BirstSession: BirstConnection {
    /// The endpoint of the session's client.
    public nonisolated var server: String { client.configuration.endpoint }

    /// `chunking`'s upload through this session.
    public nonisolated func upload(
        _ range: Range<Int64>, of source: some ByteSource, uploadToken: String, chunking: ChunkedUpload, deadline: Deadline,
        shouldStop: @Sendable () -> Bool, abandon: (@Sendable () async -> Void)?
    ) async throws(UploadInterrupted) -> UploadProgress {
        try await chunking.upload(
            range, of: source, uploadToken: uploadToken, session: self, deadline: deadline, shouldStop: shouldStop, abandon: abandon)
    }
}
