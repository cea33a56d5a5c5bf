import CCurl

/// `curl_global_init` must run once per process, before any other libcurl call and before
/// threads use libcurl. A global `let` is initialised exactly once, thread-safely, on first
/// use; every handle-creating path touches it first.
enum CurlGlobal {
    private static let initResult: Int32 = Int32(curl_global_init(BATON_CURL_GLOBAL_ALL).rawValue)

    /// Initialises libcurl if that has not happened yet. Returns `false` if libcurl could
    /// not be initialised (then every transfer fails with a clear error).
    @discardableResult
    static func ensureInitialized() -> Bool {
        initResult == Int32(CURLE_OK.rawValue)
    }

    /// libcurl's own version string, e.g. "libcurl/7.88.1 OpenSSL/3.0.11 …".
    static var version: String {
        ensureInitialized()
        return String(cString: curl_version())
    }
}
