import Logging

/// An HTTP(S) client on libcurl's multi interface.
///
/// One client runs one driver thread, whatever the number of requests in flight: the thread
/// drives every transfer with `curl_multi_poll`, and each `async` caller waits on a
/// continuation, never blocking Swift's cooperative thread pool. Connections are reused
/// between requests to the same host. Share one client per process (or per purpose); it is
/// `Sendable`.
///
/// Cancelling the calling task removes its transfer at once and throws `CancellationError`.
/// ``shutdown()`` (or releasing the last reference) stops the thread.
///
/// ``S3Client`` and ``SMTPClient`` run their transfers on a client too.
public final class CurlClient: Sendable {
    private let driver: CurlDriver

    /// - Parameters:
    ///   - logger: receives debug lines per transfer (method, URL without credentials,
    ///     status, elapsed time) and driver errors.
    ///   - maximumConnectionsPerHost: connections open to one host at most
    ///     (`CURLMOPT_MAX_HOST_CONNECTIONS`); further requests to that host wait for a free
    ///     connection. `0` means no limit.
    public init(logger: Logger = Logger(label: "baton.curl"), maximumConnectionsPerHost: Int = 32) {
        self.driver = CurlDriver(logger: logger, maximumConnectionsPerHost: max(0, maximumConnectionsPerHost))
        driver.start()
    }

    deinit {
        driver.shutdown(wait: false)
    }

    /// Sends `request` and returns the response, whatever its status.
    ///
    /// - Throws: ``CurlError`` when no response arrived (connection failure, timeout, TLS,
    ///   invalid request, client shut down); `CancellationError` when the task was cancelled.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = TransferRequest(
            kind: .http(method: request.method),
            url: request.url,
            headers: request.headers,
            body: request.body,
            connectTimeout: request.connectTimeout,
            timeout: request.timeout,
            cookies: request.cookies
        )
        let result = try await perform(transfer)
        return HTTPResponse(
            status: result.status, headers: result.headers, body: result.body,
            cookies: result.cookies ?? CookieJar())
    }

    /// Stops the driver thread. Requests in flight fail with a ``CurlError`` whose
    /// ``CurlError/isShutDown`` is true, and so do later ones. Idempotent; returns once the
    /// thread has released its connections (at most a few seconds).
    public func shutdown() {
        driver.shutdown(wait: true)
    }

    /// The name of the driver thread (as the OS shows it), for diagnostics.
    public var driverThreadName: String { driver.threadName }

    /// Runs any transfer on the driver thread (HTTP, S3, SMTP).
    func perform(_ request: TransferRequest) async throws -> TransferResult {
        try request.validate()
        let id = driver.reserve()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                driver.submit(TransferJob(id: id, request: request, continuation: continuation))
            }
        } onCancel: {
            driver.cancel(id)
        }
    }
}
