import Curl
import Foundation
import Logging

/// A conversation with one Birst server: the affinity cookie (which server) and the
/// login token (who). It logs in lazily, logs in again with the same cookie when the
/// token has expired, and can be rebuilt from the cookie alone — what another worker
/// does when it picks up a job. The login token is never exposed, logged or described.
public actor BirstSession: CustomStringConvertible, CustomReflectable {
    public nonisolated let client: BirstClient
    public nonisolated let credentials: BirstCredentials
    /// The cookie jar after the latest response; carry `cookies.serialized` in the job.
    public private(set) var cookies: CookieJar
    private var token: String?
    private var pendingLogin: Task<String, any Error>?
    private var redactor: Redactor
    /// Logins performed by this session (lazy first login plus re-logins).
    public private(set) var loginCount = 0

    public init(client: BirstClient, credentials: BirstCredentials, cookies: CookieJar = CookieJar()) {
        self.client = client
        self.credentials = credentials
        self.cookies = cookies
        self.redactor = Redactor([credentials.password])
    }

    /// A session for a job picked up from the queue: `affinityCookie` is the
    /// `CookieJar.serialized` another session left. Nil when it does not parse.
    public init?(client: BirstClient, credentials: BirstCredentials, affinityCookie: String) {
        guard let jar = CookieJar(serialized: affinityCookie) else { return nil }
        self.init(client: client, credentials: credentials, cookies: jar)
    }

    /// The compact cookie form to store in a job envelope.
    public var affinityCookie: String { cookies.serialized }
    public var isLoggedIn: Bool { token != nil }

    public nonisolated var description: String {
        "BirstSession(endpoint: \(client.configuration.endpoint), user: \(credentials.username))"
    }

    /// `dump` and debuggers see no token.
    public nonisolated var customMirror: Mirror {
        Mirror(self, children: ["endpoint": client.configuration.endpoint, "credentials": credentials])
    }

    // MARK: Operations

    /// Logs in now unless already logged in (calls log in lazily anyway).
    public func login(deadline: Deadline) async throws(BirstError) {
        _ = try await loginToken(deadline: deadline)
    }

    /// Ends the login session. A token the server no longer knows counts as logged out.
    public func logout(deadline: Deadline) async throws(BirstError) {
        guard let current = token else { return }
        token = nil
        let exchange = await client.perform(
            .logout(token: current), cookies: cookies, deadline: deadline, redactor: redactor)
        if let jar = exchange.cookies { cookies = jar }
        if case .failure(let error) = exchange.outcome, error.kind != .invalidToken { throw error }
    }

    public func getLoadStatus(spaceID: String, deadline: Deadline) async throws(BirstError) -> LoadStatus {
        try await call(deadline) { .getLoadStatus(token: $0, spaceID: spaceID) } read: { answer throws(BirstError) in
            LoadStatus(rawValue: try AnswerReader.text(answer, .getLoadStatus))
        }
    }

    /// Returns the upload token (also a job token for `isJobComplete`/`getJobStatus`).
    public func beginDataUpload(spaceID: String, sourceName: String, deadline: Deadline) async throws(BirstError) -> String {
        try await call(deadline) { .beginDataUpload(token: $0, spaceID: spaceID, sourceName: sourceName) } read: {
            answer throws(BirstError) in try AnswerReader.token(answer, .beginDataUpload)
        }
    }

    public func setDataUploadOptions(
        uploadToken: String, options: [DataUploadOption], deadline: Deadline
    ) async throws(BirstError) {
        try await call(deadline) {
            .setDataUploadOptions(token: $0, uploadToken: uploadToken, options: options.map(\.wireValue))
        } read: { _ throws(BirstError) in }
    }

    /// Appends `bytes` to the upload (`numBytes` = `bytes.count`, `data` = base64).
    public func uploadData(uploadToken: String, bytes: [UInt8], deadline: Deadline) async throws(BirstError) {
        try await call(deadline) { .uploadData(token: $0, uploadToken: uploadToken, bytes: bytes) } read: {
            _ throws(BirstError) in
        }
    }

    /// Ends the upload; Birst then analyses it asynchronously (poll the upload token).
    public func finishDataUpload(uploadToken: String, deadline: Deadline) async throws(BirstError) {
        try await call(deadline) { .finishDataUpload(token: $0, uploadToken: uploadToken) } read: {
            _ throws(BirstError) in
        }
    }

    /// Starts processing; empty `subgroups` means all processing groups. Returns the job token.
    public func publishData(
        spaceID: String, subgroups: [String] = [], date: Date = Date(), deadline: Deadline
    ) async throws(BirstError) -> String {
        try await call(deadline) { .publishData(token: $0, spaceID: spaceID, subgroups: subgroups, date: date) } read: {
            answer throws(BirstError) in try AnswerReader.token(answer, .publishData)
        }
    }

    public func isJobComplete(jobToken: String, deadline: Deadline) async throws(BirstError) -> Bool {
        try await call(deadline) { .isJobComplete(token: $0, jobToken: jobToken) } read: { answer throws(BirstError) in
            try AnswerReader.bool(answer, .isJobComplete)
        }
    }

    public func getJobStatus(jobToken: String, deadline: Deadline) async throws(BirstError) -> JobStatus {
        try await call(deadline) { .getJobStatus(token: $0, jobToken: jobToken) } read: { answer throws(BirstError) in
            try AnswerReader.jobStatus(answer)
        }
    }

    // MARK: Login handling

    /// Logins one call may make after Birst rejected the very login token it carried. A
    /// rejection of a fresh login token says nothing about the job (chaos scenario 5: a
    /// re-login's token wiped by a server restart before the retry reached it); past this
    /// many, the session itself is unusable and the call fails as transient.
    static let maxLoginsAfterLoginRejected = 3

    /// Runs a call with the login token; on "not valid or has expired" it logs in again
    /// (same cookie) and retries. A fault that names the login token the call carried is
    /// the login session's, so it logs in again each time (at most
    /// ``maxLoginsAfterLoginRejected``); any other such fault (the job token, or a token
    /// the message does not name) gets one re-login and retry, and is thrown if it
    /// persists.
    private func call<T: Sendable>(
        _ deadline: Deadline,
        _ build: (String) -> SOAPRequest,
        read: (XMLNode) throws(BirstError) -> T
    ) async throws(BirstError) -> T {
        var retriedOtherToken = false
        var loginsAfterLoginRejected = 0
        while true {
            let current = try await loginToken(deadline: deadline)
            let request = build(current)
            let exchange = await client.perform(request, cookies: cookies, deadline: deadline, redactor: redactor)
            if let jar = exchange.cookies { cookies = jar }
            switch exchange.outcome {
            case .success(let answer):
                return try read(answer)
            case .failure(let error) where error.kind == .invalidToken:
                if error.rejectedLoginToken {
                    loginsAfterLoginRejected += 1
                    guard loginsAfterLoginRejected <= Self.maxLoginsAfterLoginRejected else {
                        throw BirstError(
                            kind: .transient, operation: request.operation,
                            message: "Birst rejected \(loginsAfterLoginRejected) login tokens in a row: \(error.message)")
                    }
                } else {
                    guard !retriedOtherToken else { throw error }
                    retriedOtherToken = true
                }
                if token == current { token = nil }
                // From 2 on, the call was rejected again after logging in again: before chaos
                // scenario 5's fix, that was a dead letter.
                let relogin = loginsAfterLoginRejected + (retriedOtherToken ? 1 : 0)
                client.logger.info(
                    "Birst rejected a token; logging in again with the same affinity cookie",
                    metadata: [
                        "birst.operation": "\(request.operation)", "birst.error": "\(error.message)",
                        "birst.rejected": "\(error.rejectedLoginToken ? "the login token" : "another token")",
                        "birst.relogin": "\(relogin)",
                    ])
            case .failure(let error):
                throw error
            }
        }
    }

    private func loginToken(deadline: Deadline) async throws(BirstError) -> String {
        if let token { return token }
        // One login at a time, whatever the callers' deadlines: a second login sent before
        // the first one's cookie arrives would land on another server, and the session
        // would switch servers under jobs whose tokens live on the first one.
        if let pending = pendingLogin {
            // This caller may resume before the one that started the login has recorded
            // the token as a secret: record it here too, or a fault naming it goes out
            // unredacted (chaos scenario 7 found one in a worker's log).
            let fresh = try await value(of: pending)
            redactor.add(fresh)
            return fresh
        }
        let client = client, credentials = credentials, jar = cookies, loginRedactor = redactor
        let task = Task<String, any Error> {
            let exchange = await client.perform(.login(credentials), cookies: jar, deadline: deadline, redactor: loginRedactor)
            self.adopt(exchange.cookies)
            let answer = try exchange.outcome.get()
            return try AnswerReader.token(answer, .login)
        }
        pendingLogin = task
        defer { if pendingLogin == task { pendingLogin = nil } }
        let fresh = try await value(of: task)
        token = fresh
        redactor.add(fresh)
        loginCount += 1
        client.logger.debug("Logged in to Birst", metadata: ["birst.user": "\(credentials.username)"])
        return fresh
    }

    private func adopt(_ jar: CookieJar?) {
        if let jar { cookies = jar }
    }

    private func value(of task: Task<String, any Error>) async throws(BirstError) -> String {
        do {
            return try await task.value
        } catch let error as BirstError {
            throw error
        } catch {
            throw BirstError(kind: .transient, operation: .login, message: "login interrupted: \(error)")
        }
    }
}
