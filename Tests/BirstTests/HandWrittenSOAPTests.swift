import StackTestSupport
import Birst
import BirstSimulator
import Curl
import Foundation
import Testing

/// Literal SOAP, sent with plain HTTP: the simulator is checked against birst-api.md,
/// not only through our own client.
@Suite("Hand-written SOAP against the simulator")
struct HandWrittenSOAPTests {
    static func envelope(_ body: String) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
          <soap:Body>
            \(body)
          </soap:Body>
        </soap:Envelope>
        """
    }

    static func post(
        _ harness: SimulatorHarness, action: String?, _ xml: String, cookies: CookieJar? = CookieJar(),
        contentType: String = "text/xml; charset=utf-8"
    ) async throws -> HTTPResponse {
        var headers = [HTTPHeader(name: "Content-Type", value: contentType)]
        if let action { headers.append(HTTPHeader(name: "SOAPAction", value: action)) }
        return try await harness.http.execute(
            HTTPRequest(
                method: "POST", url: harness.endpoint, headers: headers, body: Array(xml.utf8), timeout: TestTime.seconds(30),
                cookies: cookies))
    }

    static func login(_ harness: SimulatorHarness) async throws -> (token: String, cookies: CookieJar) {
        let response = try await post(
            harness, action: #""http://www.birst.com/Login""#,
            envelope(#"<Login xmlns="http://www.birst.com/"><username>baton</username><password>baton-dev</password></Login>"#))
        let match = try #require(response.bodyText.firstMatch(of: #/<LoginResult>([0-9a-f]{32})</LoginResult>/#))
        return (String(match.1), response.cookies)
    }

    @Test("Login answers a namespaced LoginResponse with a 32-hex token and sets the affinity cookie")
    func login() async throws {
        try await SimulatorHarness.with { harness in
            let response = try await Self.post(
                harness, action: #""http://www.birst.com/Login""#,
                Self.envelope(#"<Login xmlns="http://www.birst.com/"><username>baton</username><password>baton-dev</password></Login>"#))
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/xml; charset=utf-8") == true)
            let body = response.bodyText
            #expect(body.hasPrefix(#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/""#))
            #expect(body.contains(#/<soap:Body><LoginResponse xmlns="http://www.birst.com/"><LoginResult>[0-9a-f]{32}</LoginResult></LoginResponse></soap:Body></soap:Envelope>$/#))
            #expect(response.cookies.value(named: "BirstAffinity") != nil)
        }
    }

    @Test("The uploadData example from birst-api.md appends and answers an empty uploadDataResponse")
    func uploadDataLiteral() async throws {
        try await SimulatorHarness.with { harness in
            let (token, cookies) = try await Self.login(harness)
            let begin = try await Self.post(
                harness, action: #""http://www.birst.com/beginDataUpload""#,
                Self.envelope(
                    #"<beginDataUpload xmlns="http://www.birst.com/"><token>\#(token)</token><spaceID>space-1</spaceID><sourceName>daily</sourceName></beginDataUpload>"#),
                cookies: cookies)
            let upload = try #require(
                begin.bodyText.firstMatch(of: #/<beginDataUploadResult>([0-9a-f]{32})</beginDataUploadResult>/#)).1
            let data = try await Self.post(
                harness, action: #""http://www.birst.com/uploadData""#,
                Self.envelope(
                    """
                    <uploadData xmlns="http://www.birst.com/">
                      <token>\(token)</token>
                      <dataUploadToken>\(upload)</dataUploadToken>
                      <numBytes>11</numBytes>
                      <data>aGVsbG8gd29ybGQ=</data>
                    </uploadData>
                    """), cookies: cookies)
            #expect(data.status == 200)
            #expect(data.bodyText.contains(#"<soap:Body><uploadDataResponse xmlns="http://www.birst.com/" /></soap:Body>"#))
            let inspection = try await harness.inspect()
            #expect(inspection.uploads.first?.bytesReceived == 11)
            #expect(inspection.uploads.first?.sha256 == ContentHash.sha256(Array("hello world".utf8)))
            #expect(inspection.calls.allSatisfy { $0.hadAffinityCookie || $0.operation == "Login" })
        }
    }

    @Test("A client that drops the cookie gets 'token … is not valid or has expired' right after logging in")
    func droppedCookie() async throws {
        try await SimulatorHarness.with { harness in
            let (token, _) = try await Self.login(harness)
            let response = try await Self.post(
                harness, action: #""http://www.birst.com/getLoadStatus""#,
                Self.envelope(#"<getLoadStatus xmlns="http://www.birst.com/"><token>\#(token)</token><spaceID>s</spaceID></getLoadStatus>"#),
                cookies: nil)
            #expect(response.status == 500)
            #expect(response.bodyText.contains("<faultcode>soap:Server</faultcode>"))
            #expect(response.bodyText.contains("<faultstring>getLoadStatus: token \(token) is not valid or has expired.</faultstring>"))
            #expect(response.bodyText.contains(#"<detail><b:error xmlns:b="http://www.birst.com/"><b:message>token \#(token) is not valid or has expired.</b:message></b:error></detail>"#))
        }
    }

    @Test("Malformed requests get an ASP.NET-style SOAP fault, never a crash", arguments: [
        Malformed(name: "missing SOAPAction", action: nil, body: #"<Login xmlns="http://www.birst.com/"><username>baton</username><password>baton-dev</password></Login>"#,
                  expect: "Unable to handle request without a valid action parameter"),
        Malformed(name: "unknown operation", action: #""http://www.birst.com/deleteSpace""#, body: #"<deleteSpace xmlns="http://www.birst.com/"/>"#,
                  expect: "Server did not recognize the value of HTTP Header SOAPAction: http://www.birst.com/deleteSpace."),
        Malformed(name: "wrong namespace", action: #""http://www.birst.com/Login""#, body: #"<Login xmlns="http://example.com/"><username>baton</username><password>baton-dev</password></Login>"#,
                  expect: "&lt;Login xmlns='http://example.com/'&gt; was not expected."),
        Malformed(name: "unqualified parameters", action: #""http://www.birst.com/Login""#, body: #"<b:Login xmlns:b="http://www.birst.com/"><username>baton</username><password>baton-dev</password></b:Login>"#,
                  expect: "is missing from &lt;Login&gt;"),
        Malformed(name: "bad base64", action: #""http://www.birst.com/uploadData""#, body: #"<uploadData xmlns="http://www.birst.com/"><token>x</token><dataUploadToken>y</dataUploadToken><numBytes>3</numBytes><data>!!!not base64</data></uploadData>"#,
                  expect: "not a valid Base-64 string", fullEnvelope: true),
        Malformed(name: "not XML", action: #""http://www.birst.com/Login""#, body: "<<<this is not xml",
                  expect: "Server was unable to read request. ---&gt; There is an error in XML document"),
        Malformed(name: "DOCTYPE", action: #""http://www.birst.com/Login""#, body: #"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#,
                  expect: "For security reasons DTD is prohibited"),
    ])
    func malformed(_ case: Malformed) async throws {
        try await SimulatorHarness.with { harness in
            var xml = `case`.body.hasPrefix("<!DOCTYPE") || `case`.body.hasPrefix("<<<") ? `case`.body : Self.envelope(`case`.body)
            if `case`.fullEnvelope {
                // Bad base64 is only reported once the call is read: log in so the token is valid.
                let (token, cookies) = try await Self.login(harness)
                let begin = try await Self.post(
                    harness, action: #""http://www.birst.com/beginDataUpload""#,
                    Self.envelope(#"<beginDataUpload xmlns="http://www.birst.com/"><token>\#(token)</token><spaceID>s</spaceID><sourceName>n</sourceName></beginDataUpload>"#),
                    cookies: cookies)
                let upload = try #require(begin.bodyText.firstMatch(of: #/<beginDataUploadResult>(\w+)</#)).1
                xml = xml.replacingOccurrences(of: "<token>x</token>", with: "<token>\(token)</token>")
                    .replacingOccurrences(of: "<dataUploadToken>y</dataUploadToken>", with: "<dataUploadToken>\(upload)</dataUploadToken>")
                let response = try await Self.post(harness, action: `case`.action, xml, cookies: cookies)
                #expect(response.status == 500)
                #expect(response.bodyText.contains("<faultcode>soap:Client</faultcode>"))
                #expect(response.bodyText.contains(`case`.expect), "\(response.bodyText)")
                return
            }
            let response = try await Self.post(harness, action: `case`.action, xml)
            #expect(response.status == 500, "\(`case`.name)")
            #expect(response.header("Content-Type")?.hasPrefix("text/xml") == true)
            #expect(response.bodyText.contains("<soap:Fault><faultcode>soap:Client</faultcode>"), "\(`case`.name): \(response.bodyText)")
            #expect(response.bodyText.contains(`case`.expect), "\(`case`.name): \(response.bodyText)")
            // The simulator is still serving.
            _ = try await Self.login(harness)
        }
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var name: String
        var action: String?
        var body: String
        var expect: String
        var fullEnvelope = false
        var testDescription: String { name }
    }
}
