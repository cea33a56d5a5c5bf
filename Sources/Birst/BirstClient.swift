import Curl
import Logging
import Metrics

/// Speaks SOAP 1.1 to Birst's Command Web Service over the Curl client. It holds no
/// session state: `BirstSession` adds the login token and the affinity cookie.
public struct BirstClient: Sendable {
    public let configuration: Configuration
    let http: CurlClient
    let logger: Logger

    public init(configuration: Configuration, http: CurlClient, logger: Logger = Logger(label: "baton.birst")) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
    }

    public init(endpoint: String, http: CurlClient, logger: Logger = Logger(label: "baton.birst")) {
        self.init(configuration: Configuration(endpoint: endpoint), http: http, logger: logger)
    }

    /// A session that logs in lazily; pass the cookie a job carries to reach the server
    /// that issued its tokens.
    public func session(credentials: BirstCredentials, cookies: CookieJar = CookieJar()) -> BirstSession {
        BirstSession(client: self, credentials: credentials, cookies: cookies)
    }

    /// The outcome of one round trip, and the cookie jar after it (nil when sent without one).
    struct Exchange: Sendable {
        var outcome: Result<XMLNode, BirstError>
        var cookies: CookieJar?
    }

    /// One SOAP round trip, bounded by `deadline`. Never throws: failures are classified
    /// `BirstError`s with secrets removed by `redactor`.
    func perform(
        _ request: SOAPRequest, cookies: CookieJar?, deadline: Deadline, redactor: Redactor
    ) async -> Exchange {
        let operation = request.operation
        let remaining = deadline.remaining
        guard remaining >= configuration.minimumCallTime else {
            return Exchange(
                outcome: .failure(
                    BirstError(
                        kind: .deadlineExceeded, operation: operation,
                        message: "deadline leaves \(remaining), too little to start the call")),
                cookies: cookies)
        }
        let body: [UInt8]
        do { body = try request.envelope() } catch { return Exchange(outcome: .failure(error), cookies: cookies) }

        let timeout = min(configuration.requestTimeout, remaining)
        let clamped = timeout < configuration.requestTimeout
        let httpRequest = HTTPRequest(
            method: "POST",
            url: configuration.endpoint,
            headers: [
                HTTPHeader(name: "Content-Type", value: "text/xml; charset=utf-8"),
                HTTPHeader(name: "SOAPAction", value: operation.soapAction),
                // A blank Expect keeps libcurl from adding "Expect: 100-continue" (and waiting up to
                // 1 s for an answer) to bodies over 1 MiB; libcurl sends no header for a blank value.
                HTTPHeader(name: "Expect", value: " "),
            ],
            body: body,
            connectTimeout: min(configuration.connectTimeout, timeout),
            timeout: timeout,
            cookies: cookies
        )
        logger.trace("Birst request", metadata: ["birst.request": "\(redactor(request.description))"])
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await http.execute(httpRequest)
        } catch let error as CurlError {
            let byDeadline = deadline.hasPassed || (error.isTimeout && clamped)
            // Only a failure that provably sent no byte of the request (refused, unresolvable,
            // connect timeout on a new connection) is "not applied"; a timeout or a drop on a
            // reused keep-alive connection may have been applied.
            let failure = BirstError(
                kind: byDeadline ? .deadlineExceeded : .transient, operation: operation,
                message: redactor("HTTP transport: \(error.message)"), mayHaveTakenEffect: !error.isConnectionFailure)
            log(failure, started: started)
            return Exchange(outcome: .failure(failure), cookies: cookies)
        } catch {
            let failure = BirstError(
                kind: deadline.hasPassed ? .deadlineExceeded : .transient, operation: operation,
                message: redactor("HTTP transport: \(error)"), mayHaveTakenEffect: true)
            log(failure, started: started)
            return Exchange(outcome: .failure(failure), cookies: cookies)
        }
        let jar = cookies == nil ? nil : response.cookies
        let outcome = interpret(response, to: request, redactor: redactor)
        switch outcome {
        case .success:
            Self.recordCall(operation, fault: "none", started: started)
            logger.debug(
                "Birst call",
                metadata: [
                    "birst.operation": "\(operation)", "http.status": "\(response.status)",
                    "duration.ms": "\((ContinuousClock.now - started).milliseconds)",
                ])
        case .failure(let failure):
            log(failure, started: started)
        }
        return Exchange(outcome: outcome, cookies: jar)
    }

    private func interpret(
        _ response: HTTPResponse, to request: SOAPRequest, redactor: Redactor
    ) -> Result<XMLNode, BirstError> {
        let operation = request.operation
        let status = response.status
        let parsed: SOAPResponse
        do {
            parsed = try SOAPResponse.read(response.body, for: operation)
        } catch {
            let why = error.reason
            if status >= 500 {
                return .failure(
                    BirstError(
                        kind: .transient, operation: operation,
                        message: redactor("HTTP \(status) without a SOAP fault: \(snippet(response.body))"),
                        httpStatus: status, mayHaveTakenEffect: true))
            }
            // The server answered something unreadable: whatever it did, it may have done.
            return .failure(
                BirstError(
                    kind: .invalidResponse, operation: operation, message: redactor(why), httpStatus: status,
                    mayHaveTakenEffect: true))
        }
        switch parsed {
        case .fault(let fault):
            let kind = FaultClassifier.kind(of: fault)
            // Read before redaction, which hides the login token behind the same placeholder
            // as any other secret.
            let sentToken = request.loginToken ?? ""
            let loginTokenNamed = kind == .invalidToken && !sentToken.isEmpty && fault.string.contains(sentToken)
            return .failure(
                BirstError(
                    kind: kind, operation: operation, message: redactor(fault.string), faultCode: fault.code,
                    httpStatus: status, mayHaveTakenEffect: kind == .transient, rejectedLoginToken: loginTokenNamed))
        case .answer(let node) where (200..<300).contains(status):
            return .success(node)
        case .answer:
            return .failure(
                BirstError(
                    kind: status >= 500 ? .transient : .invalidResponse, operation: operation,
                    message: "HTTP \(status) with a non-fault answer", httpStatus: status,
                    mayHaveTakenEffect: true))
        }
    }

    private func snippet(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return text.isEmpty ? "(empty body)" : text
    }

    private func log(_ failure: BirstError, started: ContinuousClock.Instant) {
        Self.recordCall(failure.operation, fault: failure.kind.rawValue, started: started)
        logger.debug(
            "Birst call failed",
            metadata: [
                "birst.operation": "\(failure.operation)", "birst.error.kind": "\(failure.kind)",
                "birst.error": "\(failure.message)",
                "duration.ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
    }
}

extension BirstClient {
    /// Metrics: `baton_birst_call_duration_seconds{operation, fault}` (fault: a
    /// ``BirstError/Kind``, or `none`). A no-op unless the process bootstrapped a backend.
    static func recordCall(_ operation: BirstOperation, fault: String, started: ContinuousClock.Instant) {
        Metrics.Timer(label: "baton_birst_call_duration_seconds", dimensions: [("operation", operation.rawValue), ("fault", fault)])
            .record(duration: ContinuousClock.now - started)
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
