import Baton
import Birst
import Foundation
import Synchronization

/// A Birst that answers from a script: load statuses in turn, whether each job token is
/// complete yet, its final status, and errors for the next calls of an operation. It
/// keeps what a real Birst would hold (the bytes of each upload token, finished uploads,
/// started publishes) and every call in order. All jobs share its one conversation,
/// whose affinity cookie the test chooses.
final class ScriptedBirst: BirstSessions, BirstConnection {
    private struct State {
        var cookie: String
        var loadStatuses: [LoadStatus] = []
        var incompletePolls: [String: Int] = [:]
        var statuses: [String: JobStatus] = [:]
        var errors: [BirstOperation: [BirstError]] = [:]
        var uploads: [String: [UInt8]] = [:]
        var finished: [String] = []
        var publishes: [(token: String, date: Date)] = []
        var calls: [BirstOperation] = []
        var cookiesAsked: [String?] = []
        var nextToken = 1
    }

    private let state: Mutex<State>
    let server = "https://app2101.bws.example/CommandWebService.asmx"

    init(cookie: String = "ASP.NET_SessionId=s1; BIRSTSERVER=app2101") {
        state = Mutex(State(cookie: cookie))
    }

    // MARK: Script

    /// getLoadStatus answers these in turn, then `Available`.
    func loadStatuses(_ statuses: [String]) { state.withLock { $0.loadStatuses = statuses.map(LoadStatus.init(rawValue:)) } }
    /// isJobComplete(token) answers false this many times first.
    func incomplete(_ token: String, polls: Int) { state.withLock { $0.incompletePolls[token] = polls } }
    func status(_ token: String, _ status: JobStatus) { state.withLock { $0.statuses[token] = status } }
    /// The next calls of `operation` throw these, in order.
    func fail(_ operation: BirstOperation, with errors: BirstError...) { state.withLock { $0.errors[operation, default: []] += errors } }
    /// Another server's cookie from now on (a re-login behind a load balancer).
    func setCookie(_ cookie: String) { state.withLock { $0.cookie = cookie } }

    // MARK: What it saw

    var calls: [BirstOperation] { state.withLock { $0.calls } }
    var finishedUploads: [String] { state.withLock { $0.finished } }
    var publishes: [(token: String, date: Date)] { state.withLock { $0.publishes } }
    var cookiesAsked: [String?] { state.withLock { $0.cookiesAsked } }
    func uploaded(_ token: String) -> [UInt8] { state.withLock { $0.uploads[token] ?? [] } }

    // MARK: BirstSessions, BirstConnection

    func session(affinityCookie: String?) async -> any BirstConnection {
        state.withLock { $0.cookiesAsked.append(affinityCookie) }
        return self
    }

    var affinityCookie: String { get async { state.withLock { $0.cookie } } }

    func getLoadStatus(spaceID: String, deadline: Deadline) async throws(BirstError) -> LoadStatus {
        try call(.getLoadStatus) { $0.loadStatuses.isEmpty ? LoadStatus(rawValue: "Available") : $0.loadStatuses.removeFirst() }
    }

    func beginDataUpload(spaceID: String, sourceName: String, deadline: Deadline) async throws(BirstError) -> String {
        try call(.beginDataUpload) { state in
            let token = "upload-\(state.nextToken)"
            state.nextToken += 1
            state.uploads[token] = []
            return token
        }
    }

    func setDataUploadOptions(uploadToken: String, options: [DataUploadOption], deadline: Deadline) async throws(BirstError) {
        try call(.setDataUploadOptions) { _ in }
    }

    func upload(
        _ range: Range<Int64>, of source: some ByteSource, uploadToken: String, chunking: ChunkedUpload, deadline: Deadline,
        shouldStop: @Sendable () -> Bool, abandon: (@Sendable () async -> Void)?
    ) async throws(UploadInterrupted) -> UploadProgress {
        var progress = UploadProgress(offset: range.lowerBound, end: range.upperBound, stop: .finished)
        while progress.offset < range.upperBound {
            if shouldStop() { progress.stop = .cancelled; return progress }
            let chunk = progress.offset..<min(progress.offset + Int64(chunking.chunkSize), range.upperBound)
            let bytes: [UInt8]
            do { bytes = try await source.read(chunk, deadline: deadline) } catch {
                throw UploadInterrupted(progress: progress, chunkMayHaveBeenApplied: false, underlying: error)
            }
            do {
                try call(.uploadData) { $0.uploads[uploadToken, default: []] += bytes }
            } catch {
                throw UploadInterrupted(progress: progress, chunkMayHaveBeenApplied: error.mayHaveTakenEffect, underlying: error)
            }
            progress.offset = chunk.upperBound
            progress.bytesUploaded += Int64(bytes.count)
            progress.chunksUploaded += 1
        }
        return progress
    }

    func finishDataUpload(uploadToken: String, deadline: Deadline) async throws(BirstError) {
        try call(.finishDataUpload) { $0.finished.append(uploadToken) }
    }

    func publishData(spaceID: String, subgroups: [String], date: Date, deadline: Deadline) async throws(BirstError) -> String {
        try call(.publishData) { state in
            let token = "publish-\(state.nextToken)"
            state.nextToken += 1
            state.publishes.append((token, date))
            return token
        }
    }

    func isJobComplete(jobToken: String, deadline: Deadline) async throws(BirstError) -> Bool {
        try call(.isJobComplete) { state in
            let left = state.incompletePolls[jobToken, default: 0]
            state.incompletePolls[jobToken] = max(left - 1, 0)
            return left == 0
        }
    }

    func getJobStatus(jobToken: String, deadline: Deadline) async throws(BirstError) -> JobStatus {
        try call(.getJobStatus) { $0.statuses[jobToken] ?? JobStatus(statusCode: "Complete") }
    }

    /// Records the call, throws the next scripted error of `operation`, or answers.
    private func call<T: Sendable>(_ operation: BirstOperation, _ answer: (inout State) -> T) throws(BirstError) -> T {
        let result: Result<T, BirstError> = state.withLock { state in
            state.calls.append(operation)
            if var errors = state.errors[operation], !errors.isEmpty {
                let error = errors.removeFirst()
                state.errors[operation] = errors
                return .failure(error)
            }
            return .success(answer(&state))
        }
        return try result.get()
    }
}
