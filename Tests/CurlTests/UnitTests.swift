import Foundation
import Testing

@testable import Curl

@Suite("Curl building blocks (no network)")
struct UnitTests {
    @Test("object keys are URI-encoded the way S3 signs them")
    func keyEncoding() {
        #expect(S3Addressing.encodeKey("a/b c+d&e=f") == "a/b%20c%2Bd%26e%3Df")
        #expect(S3Addressing.encodeKey("ü€") == "%C3%BC%E2%82%AC")
        #expect(S3Addressing.encodeKey("A-Z_a.z~0/9") == "A-Z_a.z~0/9")
        #expect(S3Addressing.encodeKey("%41?#") == "%2541%3F%23")
    }

    @Test("path style, virtual-hosted style and the AWS default endpoint")
    func addressing() {
        let credentials = S3Credentials(accessKeyID: "AKID", secretAccessKey: "secret")
        let moto = S3Addressing(configuration: .init(endpoint: "http://127.0.0.1:5000/", credentials: credentials))
        #expect(moto.url(bucket: "reports", key: "a b.csv") == "http://127.0.0.1:5000/reports/a%20b.csv")
        #expect(moto.url(bucket: "reports", key: nil) == "http://127.0.0.1:5000/reports")
        let aws = S3Addressing(configuration: .init(region: "eu-west-1", credentials: credentials))
        #expect(aws.url(bucket: "reports", key: "x/y") == "https://reports.s3.eu-west-1.amazonaws.com/x/y")
        #expect(aws.url(bucket: "my.dotted.bucket", key: "x")
            == "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/x")
        let forced = S3Addressing(configuration: .init(
            endpoint: "https://minio.internal:9000/s3", credentials: credentials, pathStyle: true))
        #expect(forced.url(bucket: "b1b", key: "k") == "https://minio.internal:9000/s3/b1b/k")
        #expect(!S3Addressing.isValidBucketName("a/b"))
        #expect(!S3Addressing.isValidBucketName(".."))
        #expect(S3Addressing.isValidBucketName("baton-reports.2026"))
    }

    @Test("S3 XML error bodies are parsed")
    func errorDocument() {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist &amp; never did.</Message>\
            <Key>a b</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """
        let document = S3ErrorDocument(xml: xml)
        #expect(document.code == "NoSuchKey")
        #expect(document.message == "The specified key does not exist & never did.")
        #expect(document.requestID == "4442587FB7D0A2F9")

        let response = HTTPResponse(status: 404, body: Array(xml.utf8))
        guard case .notFound(let bucket, let key) = S3Client.error(from: response, bucket: "b", key: "a b") else {
            Issue.record("expected notFound")
            return
        }
        #expect(bucket == "b" && key == "a b")
        let denied = S3Client.error(
            from: HTTPResponse(status: 403, body: Array("<Error><Code>AccessDenied</Code><Message>no</Message></Error>".utf8)),
            bucket: "b", key: "k")
        #expect("\(denied)".contains("\"k\"") && "\(denied)".contains("\"b\"") && "\(denied)".contains("AccessDenied"))
        #expect(S3Client.totalSize(contentRange: "bytes 0-9/1234") == 1234)
        #expect(S3Client.totalSize(contentRange: "bytes 0-9/*") == nil)
        #expect(S3Client.unquote("\"abc\"") == "abc")
    }

    @Test("cookie jars: lines, lookup, serialized form and Codable")
    func cookieJar() throws {
        var jar = CookieJar()
        #expect(jar.isEmpty)
        jar.set(name: "affinity", value: "node-7", domain: "app2101.bws.birst.com")
        jar.set(name: "affinity", value: "node-8", domain: "app2101.bws.birst.com")  // replaces
        jar.set(name: "JSESSIONID", value: "abc", domain: "app2101.bws.birst.com", secure: true)
        #expect(jar.lines.count == 2)
        #expect(jar.value(named: "affinity") == "node-8")
        #expect(jar.value(named: "missing") == nil)
        #expect(CookieJar(serialized: jar.serialized) == jar)
        #expect(CookieJar(serialized: "") == CookieJar())
        #expect(CookieJar(serialized: "not a cookie") == nil)

        let curlLine = "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\ts-1"
        let fromCurl = CookieJar(lines: [curlLine, "", "# Netscape HTTP Cookie File", "ALL"])
        #expect(fromCurl.lines == [curlLine])
        #expect(fromCurl.value(named: "session") == "s-1")

        struct Envelope: Codable, Equatable { var cookies: CookieJar }
        let data = try JSONEncoder().encode(Envelope(cookies: jar))
        #expect(try JSONDecoder().decode(Envelope.self, from: data) == Envelope(cookies: jar))
        #expect(!"\(jar)".contains("node-8"), "descriptions hide cookie values")
    }

    @Test("URLs lose credentials before they reach errors and logs")
    func redaction() {
        #expect(URLRedaction.redact("https://user:pw@host:8443/a?b=1") == "https://host:8443/a?b=1")
        #expect(URLRedaction.redact("https://h/p?X-Amz-Signature=abc&X-Amz-Credential=AK%2F1&part=2#f")
            == "https://h/p?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&part=2#f")
        #expect(URLRedaction.redact("smtp://127.0.0.1:25") == "smtp://127.0.0.1:25")
        let error = CurlError(code: 7, message: "Couldn't connect", url: "http://a:b@h/")
        #expect(error.url == "http://h/")
        #expect(error.isConnectionFailure && !error.isTimeout)
    }

    @Test("HTTP and e-mail dates")
    func dates() {
        let date = CivilTime.parseHTTPDate("Wed, 21 Oct 2015 07:28:00 GMT")
        #expect(date == Date(timeIntervalSince1970: 1_445_412_480))
        #expect(CivilTime.rfc5322(Date(timeIntervalSince1970: 1_445_412_480)) == "Wed, 21 Oct 2015 07:28:00 +0000")
        #expect(CivilTime.rfc5322(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
        #expect(CivilTime.parseHTTPDate("garbage") == nil)
    }

    @Test("quoted-printable and encoded words")
    func mimeEncoding() {
        let qp = MIMEEncoding.quotedPrintable("a=b é\ntrailing \n" + String(repeating: "x", count: 100))
        #expect(qp.hasPrefix("a=3Db =C3=A9\r\ntrailing=20\r\n"))
        #expect(qp.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(QuotedPrintable.decode(qp) == "a=b é\ntrailing \n" + String(repeating: "x", count: 100))
        #expect(MIMEEncoding.encodeHeaderText("plain", firstLineUsed: 9) == "plain")
        let encoded = MIMEEncoding.encodeHeaderText("Größe", firstLineUsed: 9)
        #expect(encoded == "=?UTF-8?B?R3LDtsOfZQ==?=")
        #expect(MIMEEncoding.base64(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw==")
        #expect(MIMEEncoding.encodeDisplayName("Ops, Team") == "\"Ops, Team\"")
    }

    @Test("durations become libcurl milliseconds")
    func durations() {
        #expect(Duration.seconds(10).curlMilliseconds == 10_000)
        #expect(Duration.milliseconds(1500).curlMilliseconds == 1500)
        #expect(Duration.zero.curlMilliseconds == 1)
        #expect(Duration.microseconds(10).curlMilliseconds == 1)
    }
}

