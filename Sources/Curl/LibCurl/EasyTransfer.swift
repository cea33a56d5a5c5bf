import CCurl

/// One libcurl easy handle and everything it points at, for the lifetime of one transfer.
///
/// Confined to the driver thread: it is created, added to the multi handle, called back
/// (write/header/read/seek) and destroyed there, so it needs no locking. libcurl's
/// callbacks are non-capturing `@convention(c)` closures; they find their transfer through
/// the context pointer (`Unmanaged`, unretained: the driver keeps the transfer alive until
/// its handle has left the multi handle).
final class EasyTransfer {
    let id: UInt64
    let request: TransferRequest
    let handle: UnsafeMutableRawPointer
    let startedAt: ContinuousClock.Instant
    private let continuation: CheckedContinuation<TransferResult, any Error>

    // Response, filled by the callbacks.
    private var responseBody: [UInt8] = []
    private var responseHeaders: [HTTPHeader] = []
    // Upload (SMTP), read by the read callback.
    private let upload: [UInt8]
    private var uploadOffset = 0

    // Memory libcurl points at; released in deinit, after curl_easy_cleanup.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var recipientList: UnsafeMutablePointer<curl_slist>?
    private var resumed = false

    /// Creates and configures the easy handle. On failure the continuation has not been
    /// touched: the caller resumes it with the thrown error.
    init(job: TransferJob) throws(CurlError) {
        self.id = job.id
        self.request = job.request
        self.continuation = job.continuation
        self.startedAt = .now
        if case .smtp = job.request.kind { self.upload = job.request.body ?? [] } else { self.upload = [] }
        guard CurlGlobal.ensureInitialized(), let handle = curl_easy_init() else {
            throw CurlError(
                code: Int32(CURLE_FAILED_INIT.rawValue), message: "libcurl could not create a handle",
                url: job.request.url, isConnectionFailure: false)
        }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        // From here on deinit runs on failure and releases the handle and the buffer; the
        // caller resumes the continuation with the error, so deinit must not.
        do {
            try configure()
        } catch {
            resumed = true
            throw error
        }
    }

    deinit {
        // Every path resumes before letting go; this only guards against a caller that
        // would otherwise wait forever.
        if !resumed {
            continuation.resume(throwing: CurlError(
                code: Int32(CURLE_ABORTED_BY_CALLBACK.rawValue), message: "the transfer was abandoned",
                url: request.url, isConnectionFailure: false))
        }
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        curl_slist_free_all(recipientList)
        errorBuffer.deallocate()
    }

    // MARK: - Options

    private func configure() throws(CurlError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_NOPROGRESS, 1)
        try setPointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.curlMilliseconds)
        try set(CURLOPT_TIMEOUT_MS, request.timeout.curlMilliseconds)
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        if request.pathAsIs { try set(CURLOPT_PATH_AS_IS, 1) }

        try check(baton_curl_easy_setopt_write_callback(handle) { data, size, count, context in
            let length = size * count
            guard let context else { return 0 }
            let transfer = Unmanaged<EasyTransfer>.fromOpaque(context).takeUnretainedValue()
            if length > 0, let data {
                transfer.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
            }
            return length
        })
        try setPointer(CURLOPT_WRITEDATA, context)

        if let username = request.username { try set(CURLOPT_USERNAME, username) }
        if let password = request.password { try set(CURLOPT_PASSWORD, password) }

        switch request.kind {
        case .http(let method):
            try configureHTTP(method: method, context: context)
        case .smtp(let from, let recipients):
            try configureSMTP(from: from, recipients: recipients, context: context)
        case .smtpNoop:
            try set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
            try set(CURLOPT_USE_SSL, Int((request.password == nil ? CURLUSESSL_TRY : CURLUSESSL_ALL).rawValue))
            // No recipients and no upload: libcurl sends this command after EHLO and AUTH.
            try set(CURLOPT_CUSTOMREQUEST, "NOOP")
        }
    }

    private func configureHTTP(method: String, context: UnsafeMutableRawPointer) throws(CurlError) {
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 0)

        try check(baton_curl_easy_setopt_header_callback(handle) { data, size, count, context in
            let length = size * count
            guard let context else { return 0 }
            let transfer = Unmanaged<EasyTransfer>.fromOpaque(context).takeUnretainedValue()
            if length > 0, let data {
                transfer.receivedHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
            }
            return length
        })
        try setPointer(CURLOPT_HEADERDATA, context)

        // The body always goes as in-memory post data (copied by libcurl), with the method
        // as a custom request when it is not POST. That keeps the body's length exact, sends
        // no `Expect: 100-continue` for small bodies, and lets libcurl's SigV4 signer hash
        // the real payload (it can only hash post data).
        switch method {
        case "GET":
            try set(CURLOPT_HTTPGET, 1)
        case "HEAD":
            try set(CURLOPT_NOBODY, 1)
        default:
            if request.body != nil || method == "POST" || method == "PUT" || method == "PATCH" {
                let body = request.body ?? []
                try set(CURLOPT_POST, 1)
                try check(baton_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
                if body.isEmpty {
                    try set(CURLOPT_COPYPOSTFIELDS, "")
                } else {
                    // libcurl copies `POSTFIELDSIZE` bytes before returning.
                    try check(body.withUnsafeBytes { bytes in
                        baton_curl_easy_setopt_pointer(
                            handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                    })
                }
            }
            if method != "POST" { try set(CURLOPT_CUSTOMREQUEST, method) }
        }

        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            // "Name:" would tell libcurl to remove the header; "Name;" sends it empty.
            let line = header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw CurlError(code: Int32(CURLE_OUT_OF_MEMORY.rawValue), message: "out of memory", url: request.url)
            }
            list = appended
        }
        headerList = list
        if let list { try check(baton_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)) }

        if let cookies = request.cookies {
            try set(CURLOPT_COOKIEFILE, "")  // cookie engine on, nothing read from disk
            for line in cookies.lines { try set(CURLOPT_COOKIELIST, line) }
        }
        if let sigV4 = request.awsSigV4 {
            // Also selects CURLAUTH_AWS_SIGV4 as the only authentication method.
            try set(CURLOPT_AWS_SIGV4, sigV4)
        }
    }

    private func configureSMTP(from: String, recipients: [String], context: UnsafeMutableRawPointer) throws(CurlError) {
        try set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        // smtps:// is TLS from the start. On smtp://, STARTTLS is used when the server offers
        // it — and required when there is a password to send.
        let tls = request.password == nil ? CURLUSESSL_TRY : CURLUSESSL_ALL
        try set(CURLOPT_USE_SSL, Int(tls.rawValue))
        try set(CURLOPT_MAIL_FROM, "<\(from)>")
        var list: UnsafeMutablePointer<curl_slist>?
        for recipient in recipients {
            guard let appended = curl_slist_append(list, "<\(recipient)>") else {
                curl_slist_free_all(list)
                throw CurlError(code: Int32(CURLE_OUT_OF_MEMORY.rawValue), message: "out of memory", url: request.url)
            }
            list = appended
        }
        recipientList = list
        try check(baton_curl_easy_setopt_slist(handle, CURLOPT_MAIL_RCPT, list))
        try set(CURLOPT_UPLOAD, 1)
        try check(baton_curl_easy_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.count)))
        try check(baton_curl_easy_setopt_read_callback(handle) { buffer, size, count, context in
            guard let context, let buffer else { return Int(CURL_READFUNC_ABORT) }
            let transfer = Unmanaged<EasyTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.readUpload(into: buffer, capacity: size * count)
        })
        try setPointer(CURLOPT_READDATA, context)
        try check(baton_curl_easy_setopt_seek_callback(handle) { context, offset, origin in
            guard let context else { return CURL_SEEKFUNC_CANTSEEK }
            let transfer = Unmanaged<EasyTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.seekUpload(to: Int(offset), origin: origin)
        })
        try setPointer(CURLOPT_SEEKDATA, context)
    }

    private func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(baton_curl_easy_setopt_long(handle, option, value))
    }

    private func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(baton_curl_easy_setopt_string(handle, option, value))
    }

    private func setPointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) throws(CurlError) {
        try check(baton_curl_easy_setopt_pointer(handle, option, value))
    }

    private func check(_ code: CURLcode) throws(CurlError) {
        guard code == CURLE_OK else {
            throw CurlError.curl(code, detail: "while setting up the transfer", url: request.url, connected: false)
        }
    }

    // MARK: - Callbacks

    private func receivedHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var line = bytes[...]
        while let last = line.last, last == 0x0A || last == 0x0D { line = line.dropLast() }
        if line.starts(with: "HTTP/".utf8) {
            // A new response (after `100 Continue`, or the real one): start over.
            responseHeaders.removeAll(keepingCapacity: true)
            return
        }
        if let first = line.first, first == 0x20 || first == 0x09, !responseHeaders.isEmpty {
            // Obsolete line folding: continues the previous value.
            let more = String(decoding: line, as: UTF8.self).trimmingSpacesAndTabs()
            responseHeaders[responseHeaders.count - 1].value += " " + more
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: line[..<colon], as: UTF8.self)
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpacesAndTabs()
        responseHeaders.append(HTTPHeader(name: name, value: value))
    }

    private func readUpload(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, upload.count - uploadOffset)
        guard count > 0 else { return 0 }
        upload.withUnsafeBytes { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + uploadOffset, byteCount: count)
        }
        uploadOffset += count
        return count
    }

    private func seekUpload(to offset: Int, origin: Int32) -> Int32 {
        guard origin == 0 /* SEEK_SET */, offset >= 0, offset <= upload.count else { return CURL_SEEKFUNC_CANTSEEK }
        uploadOffset = offset
        return CURL_SEEKFUNC_OK
    }

    // MARK: - Completion

    /// The outcome of a transfer libcurl reports as done.
    func outcome(_ code: CURLcode) -> Result<TransferResult, CurlError> {
        var status = 0
        _ = baton_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            return .failure(.curl(code, detail: detail, url: request.url, connected: !provablyNothingSent(status: status)))
        }
        var cookies: CookieJar?
        if request.cookies != nil {
            var list: UnsafeMutablePointer<curl_slist>?
            if baton_curl_easy_getinfo_slist(handle, CURLINFO_COOKIELIST, &list) == CURLE_OK {
                var lines: [String] = []
                var node = list
                while let current = node {
                    if let data = current.pointee.data { lines.append(String(cString: data)) }
                    node = current.pointee.next
                }
                curl_slist_free_all(list)
                cookies = CookieJar(lines: lines)
            } else {
                cookies = request.cookies
            }
        }
        return .success(TransferResult(status: status, headers: responseHeaders, body: responseBody, cookies: cookies))
    }

    /// Whether libcurl's counters prove that not one byte of the request left this
    /// process, so the server cannot have seen (let alone applied) it.
    ///
    /// `CURLINFO_CONNECT_TIME_T` cannot tell: libcurl 7.88.1 reports 0 for every reused
    /// keep-alive connection, where the request may well have been sent. What can: the
    /// transfer never reached the point of sending (`CURLINFO_PRETRANSFER_TIME_T` 0, which
    /// a reused connection passes at once), no request bytes were counted
    /// (`CURLINFO_REQUEST_SIZE`, `CURLINFO_SIZE_UPLOAD_T` 0) and no response status
    /// arrived. `CURLINFO_NUM_CONNECTS` 0 with a pre-transfer time marks a reused
    /// connection, which is "maybe sent" by the same rule. A counter that cannot be read
    /// counts as "maybe sent".
    private func provablyNothingSent(status: Int) -> Bool {
        guard status == 0 else { return false }
        var requestSize = 0
        var pretransfer: curl_off_t = 0
        var uploaded: curl_off_t = 0
        guard baton_curl_easy_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestSize) == CURLE_OK,
            baton_curl_easy_getinfo_off_t(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) == CURLE_OK,
            baton_curl_easy_getinfo_off_t(handle, CURLINFO_SIZE_UPLOAD_T, &uploaded) == CURLE_OK
        else { return false }
        return pretransfer == 0 && requestSize == 0 && uploaded == 0
    }

    /// Resumes the caller exactly once.
    func resume(with result: Result<TransferResult, any Error>) {
        guard !resumed else { return }
        resumed = true
        continuation.resume(with: result)
    }
}

extension String {
    func trimmingSpacesAndTabs() -> String {
        var view = Substring(self).unicodeScalars[...]
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return String(String.UnicodeScalarView(view))
    }
}
