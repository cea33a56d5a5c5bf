import Curl
import Foundation
import X509
import _CryptoExtras

/// The signing certificates of Amazon SNS, fetched once per `SigningCertURL` and kept in
/// memory (AWS: "cache the certificate"). Only successfully parsed RSA certificates are
/// kept, so a URL that failed is fetched again next time. Concurrent requests for one URL
/// share one fetch. The caller decides which URLs may be fetched (``SNSEndpointPolicy``).
public actor SNSCertificateStore {
    /// Fetches the PEM document at an URL. Throws when it cannot.
    public typealias Fetch = @Sendable (_ url: String) async throws -> [UInt8]

    /// What the signature check needs of a certificate.
    public struct Entry: Sendable {
        public var publicKey: _RSA.Signing.PublicKey
        public var notValidBefore: Date
        public var notValidAfter: Date
    }

    private let fetch: Fetch
    private let maximumEntries: Int
    private var entries: [String: Entry] = [:]
    private var inFlight: [String: Task<Entry, any Error>] = [:]
    /// Fetches made so far (cache misses), for diagnostics and tests.
    public private(set) var fetchCount = 0

    /// - Parameters:
    ///   - maximumEntries: certificates kept at most; when full, the cache starts afresh
    ///     (SNS signs with one certificate per region at a time, so a handful suffice).
    ///   - fetch: how to get a certificate's PEM bytes.
    public init(maximumEntries: Int = 64, fetch: @escaping Fetch) {
        self.maximumEntries = max(1, maximumEntries)
        self.fetch = fetch
    }

    /// Fetches with `client` (HTTP GET, no redirects), allowing `timeout` per request.
    public init(client: CurlClient, timeout: Duration, maximumEntries: Int = 64) {
        self.init(maximumEntries: maximumEntries) { url in
            let response = try await client.execute(HTTPRequest(url: url, connectTimeout: timeout, timeout: timeout))
            guard response.isSuccess else { throw SNSError("answered HTTP \(response.status)") }
            return response.body
        }
    }

    /// The certificate at `url`, from the cache or fetched now.
    ///
    /// - Throws: ``SNSError`` when it cannot be fetched, is not a PEM X.509 certificate or
    ///   does not hold an RSA key.
    public func entry(for url: String) async throws -> Entry {
        if let entry = entries[url] { return entry }
        if let running = inFlight[url] { return try await running.value }
        fetchCount += 1
        let fetch = self.fetch
        let task = Task { try Self.parse(try await fetch(url)) }
        inFlight[url] = task
        defer { inFlight[url] = nil }
        let entry: Entry
        do {
            entry = try await task.value
        } catch let error as SNSError {
            throw error
        } catch {
            throw SNSError("\(error)")
        }
        if entries.count >= maximumEntries { entries.removeAll() }
        entries[url] = entry
        return entry
    }

    static func parse(_ pem: [UInt8]) throws -> Entry {
        let certificate: Certificate
        do {
            certificate = try Certificate(pemEncoded: String(decoding: pem, as: UTF8.self))
        } catch {
            throw SNSError("not a PEM X.509 certificate")
        }
        guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
            throw SNSError("the certificate does not hold an RSA key")
        }
        return Entry(publicKey: key, notValidBefore: certificate.notValidBefore, notValidAfter: certificate.notValidAfter)
    }
}
