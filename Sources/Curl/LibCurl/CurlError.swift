import CCurl

/// A transfer that did not produce a response: libcurl failed (connection refused, DNS,
/// TLS, timeout, …), the request was invalid, or the client was shut down.
///
/// ``url`` never carries credentials: user info is removed and the values of
/// credential-like query parameters are replaced.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// libcurl's `CURLcode`, or ``shutDownCode`` when the ``CurlClient`` was shut down.
    public var code: Int32
    /// `curl_easy_strerror(code)` plus libcurl's detail from `CURLOPT_ERRORBUFFER`.
    public var message: String
    /// The request's URL without credentials.
    public var url: String
    /// Not one byte of the request was sent: the host was refused, unresolvable or
    /// unreachable, or the connect timeout expired on a new connection. Such a request is
    /// always safe to retry. Every other failure — a timeout or a dropped connection on a
    /// reused keep-alive connection included — may have reached the server, and a
    /// non-idempotent request must then count as possibly applied.
    public var isConnectionFailure: Bool

    /// The code of the error that in-flight and later calls get after
    /// ``CurlClient/shutdown()``.
    public static let shutDownCode: Int32 = -1

    public init(code: Int32, message: String, url: String, isConnectionFailure: Bool? = nil) {
        self.code = code
        self.message = message
        self.url = URLRedaction.redact(url)
        self.isConnectionFailure =
            isConnectionFailure ?? CurlError.connectionFailureCodes.contains(code)
    }

    /// The connect timeout or the total timeout expired (`CURLE_OPERATION_TIMEDOUT`).
    public var isTimeout: Bool { code == Int32(CURLE_OPERATION_TIMEDOUT.rawValue) }

    /// The ``CurlClient`` was shut down before the transfer finished.
    public var isShutDown: Bool { code == CurlError.shutDownCode }

    public var description: String {
        if isShutDown { return "\(message) (\(url))" }
        return "curl error \(code): \(message) (\(url))"
    }

    static let connectionFailureCodes: Set<Int32> = [
        Int32(CURLE_COULDNT_RESOLVE_PROXY.rawValue),
        Int32(CURLE_COULDNT_RESOLVE_HOST.rawValue),
        Int32(CURLE_COULDNT_CONNECT.rawValue),
    ]

    static func shutDown(url: String) -> CurlError {
        CurlError(
            code: shutDownCode, message: "the CurlClient was shut down before the transfer finished",
            url: url, isConnectionFailure: false)
    }

    static func invalidRequest(_ message: String, url: String) -> CurlError {
        CurlError(
            code: Int32(CURLE_BAD_FUNCTION_ARGUMENT.rawValue), message: "invalid request: \(message)",
            url: url, isConnectionFailure: false)
    }

    /// An error for `code` with libcurl's text and the error buffer's detail.
    static func curl(_ code: CURLcode, detail: String, url: String, connected: Bool) -> CurlError {
        let text = String(cString: curl_easy_strerror(code))
        let detail = detail.trimmingTrailingNewlines()
        let message = detail.isEmpty || detail == text ? text : "\(text): \(detail)"
        let raw = Int32(code.rawValue)
        // `connected` is false only when libcurl's counters prove nothing was sent; a
        // refused or unresolvable host cannot have sent anything either.
        let connectFailure =
            (connectionFailureCodes.contains(raw) && !connected) || (code == CURLE_OPERATION_TIMEDOUT && !connected)
        return CurlError(code: raw, message: message, url: url, isConnectionFailure: connectFailure)
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while let last = text.last, last == "\n" || last == "\r" || last == " " { text.removeLast() }
        return String(text)
    }
}
