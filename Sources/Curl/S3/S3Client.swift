import Crypto
/// S3 (or any S3-compatible service: MinIO, Ceph, moto) over a ``CurlClient``.
///
/// Requests are signed with libcurl's built-in AWS Signature V4
/// (`CURLOPT_AWS_SIGV4 "aws:amz:<region>:s3"`, the key pair as user name and password);
/// a session token goes out as `x-amz-security-token`. Object keys are URI-encoded the way
/// S3 expects. The secret key never appears in errors or logs.
///
/// S3 errors become ``S3Error``s (parsed from S3's XML error body); transport failures are
/// ``CurlError``s.
public struct S3Client: Sendable {
    public let configuration: S3Configuration
    private let http: CurlClient
    private let addressing: S3Addressing

    public init(configuration: S3Configuration, http: CurlClient) {
        self.configuration = configuration
        self.http = http
        self.addressing = S3Addressing(configuration: configuration)
    }

    /// GetObject: the whole object, or the bytes in `range` (byte offsets, upper bound
    /// exclusive) via `Range: bytes=a-(b-1)`.
    ///
    /// A range that reaches past the end returns the bytes up to the end (S3's rule); one
    /// that starts at or past the end fails with status 416 (`InvalidRange`). An empty range
    /// returns no bytes after checking that the object exists; a negative start is rejected
    /// before sending (status 0, `InvalidRange`). If a server ignores `Range`
    /// and sends the whole object, the requested bytes are cut out of it.
    ///
    /// - Parameters:
    ///   - versionId: read this version of the object (`?versionId=`, versioned buckets);
    ///     nil or empty reads the current version.
    ///   - ifMatch: the entity tag (quoted or not) the object must still have
    ///     (`If-Match`); when it has changed, S3 answers 412 and this throws an
    ///     ``S3Error`` whose ``S3Error/isPreconditionFailed`` is true.
    public func getObject(
        bucket: String, key: String, range: Range<Int>? = nil, versionId: String? = nil, ifMatch: String? = nil
    ) async throws -> S3Object {
        try validate(bucket: bucket, key: key)
        if let range {
            guard range.lowerBound >= 0 else {
                throw S3Error.http(
                    status: 0, code: "InvalidRange", message: "the byte range \(range) starts before 0",
                    bucket: bucket, key: key)
            }
            if range.isEmpty {
                let info = try await headObject(bucket: bucket, key: key, versionId: versionId, ifMatch: ifMatch)
                return S3Object(bytes: [], totalSize: info.size, eTag: info.eTag, contentType: info.contentType)
            }
        }
        var headers: [HTTPHeader] = S3Client.conditions(ifMatch: ifMatch)
        if let range { headers.append(HTTPHeader("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")) }
        let response = try await send("GET", bucket: bucket, key: key, query: S3Client.versionQuery(versionId), headers: headers)

        switch response.status {
        case 206:
            let total = response.header("Content-Range").flatMap(S3Client.totalSize(contentRange:))
            return S3Object(
                bytes: response.body, totalSize: total, eTag: S3Client.unquote(response.header("ETag")),
                contentType: response.header("Content-Type"))
        case 200:
            var bytes = response.body
            let total = bytes.count
            if let range, range != 0..<total {
                let clamped = range.clamped(to: 0..<total)
                bytes = Array(bytes[clamped])
            }
            return S3Object(
                bytes: bytes, totalSize: total, eTag: S3Client.unquote(response.header("ETag")),
                contentType: response.header("Content-Type"))
        default:
            throw S3Client.error(from: response, bucket: bucket, key: key)
        }
    }

    /// HeadObject: size, entity tag, version id, last modification and content type.
    ///
    /// `versionId` and `ifMatch` as for ``getObject(bucket:key:range:versionId:ifMatch:)``:
    /// a version to describe, and an entity tag the object must still have (412 otherwise).
    public func headObject(bucket: String, key: String, versionId: String? = nil, ifMatch: String? = nil) async throws -> S3ObjectInfo {
        try validate(bucket: bucket, key: key)
        let response = try await send(
            "HEAD", bucket: bucket, key: key, query: S3Client.versionQuery(versionId), headers: S3Client.conditions(ifMatch: ifMatch))
        guard response.isSuccess else {
            // A HEAD response has no body to tell a missing key from a missing bucket.
            if response.status == 404, try await !bucketExists(bucket) {
                throw S3Error.bucketNotFound(bucket: bucket)
            }
            throw S3Client.error(from: response, bucket: bucket, key: key)
        }
        return S3ObjectInfo(
            size: response.header("Content-Length").flatMap { Int($0) } ?? 0,
            eTag: S3Client.unquote(response.header("ETag")),
            lastModified: response.header("Last-Modified").flatMap(CivilTime.parseHTTPDate),
            contentType: response.header("Content-Type"),
            versionId: response.header("x-amz-version-id").flatMap { $0.isEmpty || $0 == "null" ? nil : $0 })
    }

    /// PutObject in one request (objects up to 5 GiB; the body is signed with its real
    /// SHA-256). Returns the new object's entity tag.
    @discardableResult
    public func putObject(
        bucket: String, key: String, body: [UInt8], contentType: String? = nil
    ) async throws -> String? {
        try validate(bucket: bucket, key: key)
        let headers = [HTTPHeader("Content-Type", contentType ?? "application/octet-stream")]
        let response = try await send("PUT", bucket: bucket, key: key, headers: headers, body: body)
        guard response.isSuccess else { throw S3Client.error(from: response, bucket: bucket, key: key) }
        return S3Client.unquote(response.header("ETag"))
    }

    /// PutObject like ``putObject(bucket:key:body:contentType:)``, returning the new
    /// object's entity tag (unquoted) and, in a versioned bucket, its version id
    /// (`x-amz-version-id`; nil when the bucket is not versioned).
    public func putObjectVersion(
        bucket: String, key: String, body: [UInt8], contentType: String? = nil
    ) async throws -> (eTag: String?, versionId: String?) {
        try validate(bucket: bucket, key: key)
        let headers = [HTTPHeader("Content-Type", contentType ?? "application/octet-stream")]
        let response = try await send("PUT", bucket: bucket, key: key, headers: headers, body: body)
        guard response.isSuccess else { throw S3Client.error(from: response, bucket: bucket, key: key) }
        let version = response.header("x-amz-version-id").flatMap { $0.isEmpty || $0 == "null" ? nil : $0 }
        return (S3Client.unquote(response.header("ETag")), version)
    }

    /// PutBucketVersioning: turns versioning on (`Enabled`) or suspends it.
    public func setBucketVersioning(_ bucket: String, enabled: Bool) async throws {
        try validate(bucket: bucket, key: nil)
        let body = Array(
            ("<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Status>\(enabled ? "Enabled" : "Suspended")</Status></VersioningConfiguration>").utf8)
        let response = try await send(
            "PUT", bucket: bucket, key: nil, query: "versioning=", headers: [HTTPHeader("Content-Type", "application/xml")], body: body)
        guard response.isSuccess else { throw S3Client.error(from: response, bucket: bucket, key: nil) }
    }

    /// CreateBucket in the configured region. Idempotent: a bucket that already exists and
    /// is accessible with these credentials counts as created.
    public func createBucket(_ bucket: String) async throws {
        try validate(bucket: bucket, key: nil)
        var headers: [HTTPHeader] = []
        var body: [UInt8] = []
        if configuration.region != "us-east-1" {
            headers.append(HTTPHeader("Content-Type", "application/xml"))
            body = Array(
                ("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + "<LocationConstraint>\(configuration.region)</LocationConstraint>"
                    + "</CreateBucketConfiguration>").utf8)
        }
        let response = try await send("PUT", bucket: bucket, key: nil, headers: headers, body: body)
        if response.isSuccess { return }
        let error = S3Client.error(from: response, bucket: bucket, key: nil)
        if case .http(409, let code, _, _, _) = error {
            if code == "BucketAlreadyOwnedByYou" { return }
            if code == "BucketAlreadyExists", try await bucketExists(bucket) { return }
        }
        throw error
    }

    /// HeadBucket: `true` if the bucket exists and these credentials may use it, `false` if
    /// it does not exist.
    ///
    /// - Throws: ``S3Error/accessDenied(bucket:key:message:)`` when it exists but is not
    ///   accessible, other ``S3Error``s and ``CurlError``s.
    public func bucketExists(_ bucket: String) async throws -> Bool {
        try validate(bucket: bucket, key: nil)
        let response = try await send("HEAD", bucket: bucket, key: nil)
        if response.isSuccess { return true }
        if response.status == 404 { return false }
        throw S3Client.error(from: response, bucket: bucket, key: nil)
    }

    // MARK: - Requests

    private func send(
        _ method: String, bucket: String, key: String?, query: String? = nil, headers: [HTTPHeader] = [], body: [UInt8]? = nil
    ) async throws -> HTTPResponse {
        var headers = headers
        // S3 requires the payload hash; libcurl 7.88 signs with this header's value but does
        // not add it itself (without it, real S3 and moto with authentication reject every
        // request with SignatureDoesNotMatch).
        headers.append(HTTPHeader("x-amz-content-sha256", SHA256.hash(data: body ?? []).map { String(format: "%02x", $0) }.joined()))
        if let token = configuration.credentials.sessionToken {
            headers.append(HTTPHeader("x-amz-security-token", token))
        }
        let request = TransferRequest(
            kind: .http(method: method),
            url: addressing.url(bucket: bucket, key: key) + (query.map { "?" + $0 } ?? ""),
            headers: headers,
            body: body,
            connectTimeout: configuration.connectTimeout,
            timeout: configuration.timeout,
            cookies: nil,
            awsSigV4: "aws:amz:\(configuration.region):s3",
            username: configuration.credentials.accessKeyID,
            password: configuration.credentials.secretAccessKey,
            pathAsIs: true
        )
        let result = try await http.perform(request)
        return HTTPResponse(status: result.status, headers: result.headers, body: result.body)
    }

    private func validate(bucket: String, key: String?) throws {
        guard S3Addressing.isValidBucketName(bucket) else {
            throw S3Error.http(
                status: 0, code: "InvalidBucketName", message: "not a valid S3 bucket name", bucket: bucket, key: key)
        }
        if let key, key.isEmpty {
            throw S3Error.http(status: 0, code: "InvalidArgument", message: "the object key is empty", bucket: bucket, key: key)
        }
    }

    // MARK: - Responses

    static func error(from response: HTTPResponse, bucket: String, key: String?) -> S3Error {
        let document = S3ErrorDocument(xml: response.bodyText)
        let code = document.code ?? response.header("x-amz-error-code")
        let requestID = document.requestID ?? response.header("x-amz-request-id")
        var message = document.message ?? response.header("x-amz-error-message") ?? reason(for: response.status)
        if let requestID { message += " (request id \(requestID))" }

        switch (response.status, code) {
        case (_, "NoSuchBucket"):
            return .bucketNotFound(bucket: bucket)
        case (404, "NoSuchKey"), (404, nil):
            if let key { return .notFound(bucket: bucket, key: key) }
            return .bucketNotFound(bucket: bucket)
        case (403, _):
            return .accessDenied(bucket: bucket, key: key ?? "", message: code.map { "\($0): \(message)" } ?? message)
        default:
            return .http(status: response.status, code: code, message: message, bucket: bucket, key: key)
        }
    }

    /// `versionId=…` (percent-encoded), or nil for no version.
    static func versionQuery(_ versionId: String?) -> String? {
        guard let versionId, !versionId.isEmpty else { return nil }
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        let encoded = versionId.utf8.map { byte in
            unreserved.contains(byte) ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
        return "versionId=" + encoded
    }

    /// `If-Match` with the entity tag quoted, as HTTP wants it.
    static func conditions(ifMatch: String?) -> [HTTPHeader] {
        guard let ifMatch, !ifMatch.isEmpty else { return [] }
        let tag = unquote(ifMatch) ?? ifMatch
        return [HTTPHeader("If-Match", "\"\(tag)\"")]
    }

    static func reason(for status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 412: return "Precondition Failed"
        case 416: return "Requested Range Not Satisfiable"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable (slow down)"
        default: return "HTTP status \(status)"
        }
    }

    /// `bytes 0-9/1234` → 1234; `bytes 0-9/*` → nil.
    static func totalSize(contentRange: String) -> Int? {
        guard let slash = contentRange.lastIndex(of: "/") else { return nil }
        return Int(String(contentRange[contentRange.index(after: slash)...]).trimmingSpacesAndTabs())
    }

    static func unquote(_ eTag: String?) -> String? {
        guard var tag = eTag else { return nil }
        if tag.hasPrefix("W/") { tag.removeFirst(2) }
        if tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") { tag = String(tag.dropFirst().dropLast()) }
        return tag
    }
}
