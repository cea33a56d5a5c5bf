import StackTestSupport
import Foundation
import Testing

@testable import Curl

@Suite("S3Client against moto")
struct S3ClientTests {
    let stack: TestStack
    let http: CurlClient
    let s3: S3Client

    init() throws {
        stack = try TestStack.current()
        http = CurlClient()
        s3 = S3Client(configuration: S3Configuration(stack: stack), http: http)
    }

    @Test("ranged GETs return exactly the requested bytes, for keys with spaces, + and Unicode")
    func rangedGet() async throws {
        let bucket = uniqueName("ranges")
        let size = 200_003
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 7919) ^ ($0 >> 8)) }
        let key = "reports/daily 2026+final & co/ünïcødé €.csv"
        let putETag = try await withTimeout(20, "create and put") {
            try await s3.createBucket(bucket)
            return try await s3.putObject(bucket: bucket, key: key, body: payload, contentType: "text/csv")
        }

        let ranges: [Range<Int>] = [
            0..<1,  // first byte
            (size - 1)..<size,  // last byte
            0..<size,  // everything, as a range
            1..<2,
            100..<5_000,
            65_535..<131_073,
            (size - 10)..<(size + 100),  // past the end: what there is
        ]
        for range in ranges {
            let object = try await withTimeout(10, "GET \(range)") {
                try await s3.getObject(bucket: bucket, key: key, range: range)
            }
            let expected = Array(payload[range.clamped(to: 0..<size)])
            #expect(object.bytes == expected, "range \(range)")
            #expect(object.contentLength == expected.count)
            #expect(object.totalSize == size, "range \(range)")
            #expect(object.eTag == putETag)
        }

        let whole = try await withTimeout(10, "GET") { try await s3.getObject(bucket: bucket, key: key) }
        #expect(whole.bytes == payload)
        #expect(whole.totalSize == size)
        #expect(whole.contentType == "text/csv")

        let empty = try await withTimeout(10, "GET of an empty range") {
            try await s3.getObject(bucket: bucket, key: key, range: 10..<10)
        }
        #expect(empty.bytes.isEmpty && empty.totalSize == size)

        let beyond = await #expect(throws: S3Error.self) {
            _ = try await s3.getObject(bucket: bucket, key: key, range: (size + 10)..<(size + 20))
        }
        if case .http(let status, let code, _, _, let errorKey) = beyond {
            #expect(status == 416)
            #expect(code == "InvalidRange")
            #expect(errorKey == key)
        } else {
            Issue.record("expected an HTTP 416 error, got \(String(describing: beyond))")
        }
    }

    @Test("keys that need S3's URI encoding round-trip", arguments: [
        "plain.txt", "with space.txt", "plus+sign", "a&b=c?d#e;f:g@h,i$j", "percent%41literal",
        "ünïcødé/日本語/😀.bin", "deep/a/b/c/d.json", "dots/./in/../key", "trailing-slash/", "tilde~_-.", "quote'\"<>|\\^`{}",
    ])
    func keyEncoding(key: String) async throws {
        let bucket = uniqueName("keys")
        let body = Array("content of \(key)".utf8)
        try await withTimeout(20, "put \(key)") {
            try await s3.createBucket(bucket)
            try await s3.putObject(bucket: bucket, key: key, body: body)
        }
        let object = try await withTimeout(10, "get \(key)") { try await s3.getObject(bucket: bucket, key: key) }
        #expect(object.bytes == body)
        let info = try await withTimeout(10, "head \(key)") { try await s3.headObject(bucket: bucket, key: key) }
        #expect(info.size == body.count)
        if key.contains("/./") {
            // Sent as is (CURLOPT_PATH_AS_IS): not collapsed into another key.
            await #expect(throws: S3Error.self) { _ = try await s3.getObject(bucket: bucket, key: "dots/key") }
        }
    }

    @Test("a missing key is S3Error.notFound naming bucket and key; a missing bucket is bucketNotFound")
    func notFound() async throws {
        let bucket = uniqueName("missing")
        try await withTimeout(10, "create") { try await s3.createBucket(bucket) }
        let key = "no/such key ü.csv"

        let missingKey = await #expect(throws: S3Error.self) {
            _ = try await s3.getObject(bucket: bucket, key: key, range: 0..<10)
        }
        guard case .notFound(let errorBucket, let errorKey) = missingKey else {
            Issue.record("expected notFound, got \(String(describing: missingKey))")
            return
        }
        #expect(errorBucket == bucket && errorKey == key)
        #expect(missingKey!.description.contains(bucket))
        #expect(missingKey!.description.contains(key))

        let headMissing = await #expect(throws: S3Error.self) { _ = try await s3.headObject(bucket: bucket, key: key) }
        if case .notFound = headMissing {} else { Issue.record("HEAD: expected notFound, got \(String(describing: headMissing))") }

        let otherBucket = uniqueName("nobucket")
        let missingBucket = await #expect(throws: S3Error.self) {
            _ = try await s3.getObject(bucket: otherBucket, key: key)
        }
        if case .bucketNotFound(let name) = missingBucket { #expect(name == otherBucket) } else {
            Issue.record("expected bucketNotFound, got \(String(describing: missingBucket))")
        }
        #expect(missingBucket?.description.contains(otherBucket) == true)

        let headNoBucket = await #expect(throws: S3Error.self) { _ = try await s3.headObject(bucket: otherBucket, key: key) }
        if case .bucketNotFound = headNoBucket {} else {
            Issue.record("HEAD: expected bucketNotFound, got \(String(describing: headNoBucket))")
        }
        #expect(try await s3.bucketExists(otherBucket) == false)
        #expect(try await s3.bucketExists(bucket) == true)
    }

    @Test("headObject reports size, entity tag and modification time; createBucket is idempotent")
    func headObject() async throws {
        let bucket = uniqueName("head")
        let body = [UInt8](repeating: 0x42, count: 12_345)
        let eTag = try await withTimeout(20, "setup") {
            try await s3.createBucket(bucket)
            try await s3.createBucket(bucket)  // again: still fine
            return try await s3.putObject(bucket: bucket, key: "x/y.bin", body: body)
        }
        let info = try await withTimeout(10, "head") { try await s3.headObject(bucket: bucket, key: "x/y.bin") }
        #expect(info.size == 12_345)
        #expect(info.eTag == eTag && eTag != nil)
        #expect(info.eTag?.contains("\"") == false)
        let modified = try #require(info.lastModified)
        #expect(abs(modified.timeIntervalSinceNow) < 3600)
        #expect(info.contentType == "application/octet-stream")

        let empty = try await withTimeout(10, "empty object") {
            try await s3.putObject(bucket: bucket, key: "empty", body: [])
            return try await s3.getObject(bucket: bucket, key: "empty")
        }
        #expect(empty.bytes.isEmpty && empty.totalSize == 0)
    }

    @Test("the secret key never shows in descriptions, dumps or errors")
    func secretsStayHidden() async throws {
        let secret = "SECRET-\(UUID().uuidString)"
        let configuration = S3Configuration(stack: stack, secret: secret)
        var credentials = configuration.credentials
        credentials.sessionToken = "TOKEN-\(UUID().uuidString)"
        var dumped = ""
        dump(credentials, to: &dumped)
        var dumpedConfiguration = ""
        dump(configuration, to: &dumpedConfiguration)
        for text in [
            "\(credentials)", String(reflecting: credentials), dumped, "\(configuration)", dumpedConfiguration,
        ] {
            #expect(!text.contains(secret) && !text.contains(credentials.sessionToken!), "\(text)")
        }
        #expect("\(credentials)".contains(credentials.accessKeyID))

        let client = S3Client(configuration: configuration, http: http)
        let error = await #expect(throws: (any Error).self) {
            _ = try await client.getObject(bucket: uniqueName("nobucket"), key: "k")
        }
        #expect(!"\(String(describing: error))".contains(secret))
    }

    @Test("invalid bucket names and empty keys are rejected before sending")
    func invalidNames() async throws {
        let badBucket = await #expect(throws: S3Error.self) {
            _ = try await s3.getObject(bucket: "../etc", key: "k")
        }
        if case .http(0, "InvalidBucketName", _, _, _) = badBucket {} else {
            Issue.record("got \(String(describing: badBucket))")
        }
        await #expect(throws: S3Error.self) { _ = try await s3.getObject(bucket: "fine-bucket", key: "") }
    }
}
