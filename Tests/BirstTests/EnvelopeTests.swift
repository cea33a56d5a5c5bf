import Foundation
import Testing

@testable import Birst

@Suite("SOAP envelopes and responses")
struct EnvelopeTests {
    private func text(_ request: SOAPRequest) throws -> String {
        String(decoding: try request.envelope(), as: UTF8.self)
    }

    @Test("uploadData: namespaced body, parameters in wire order, numBytes = raw bytes, base64 data")
    func uploadDataEnvelope() throws {
        let xml = try text(.uploadData(token: "t0k", uploadToken: "up", bytes: Array("hello".utf8)))
        #expect(xml.contains(#"<soap:Envelope "#) && xml.contains(#"xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/""#))
        #expect(xml.contains(
            #"<soap:Body><uploadData xmlns="http://www.birst.com/"><token>t0k</token><dataUploadToken>up</dataUploadToken><numBytes>5</numBytes><data>aGVsbG8=</data></uploadData></soap:Body>"#))
    }

    @Test("publishData: subgroups array, empty subgroups still present, UTC xs:dateTime")
    func publishDataEnvelope() throws {
        let date = Date(timeIntervalSince1970: 1_795_600_000)
        let some = try text(.publishData(token: "t", spaceID: "s", subgroups: ["a", "b"], date: date))
        #expect(some.contains("<subgroups><string>a</string><string>b</string></subgroups><date>2026-11-25T09:46:40Z</date>"))
        #expect(some.contains("Z</date>"))
        let none = try text(.publishData(token: "t", spaceID: "s", subgroups: [], date: date))
        #expect(none.contains("<spaceID>s</spaceID><subgroups /><date>"))
    }

    @Test("every parameter element is present, even when empty")
    func emptyParameters() throws {
        let xml = try text(.beginDataUpload(token: "", spaceID: "", sourceName: ""))
        #expect(xml.contains("<token></token><spaceID></spaceID><sourceName></sourceName>"))
        let options = try text(.setDataUploadOptions(token: "t", uploadToken: "u", options: []))
        #expect(options.contains("<dataUploadToken>u</dataUploadToken><options /></setDataUploadOptions>"))
    }

    @Test("values are XML-escaped; a value XML cannot carry is refused")
    func escaping() throws {
        let xml = try text(.beginDataUpload(token: "t", spaceID: "a&b", sourceName: #"<x> "q" 'a' ü"#))
        #expect(xml.contains("<spaceID>a&amp;b</spaceID>"))
        #expect(xml.contains("<sourceName>&lt;x&gt; &quot;q&quot; &apos;a&apos; ü</sourceName>"))
        #expect(throws: BirstError.self) { try SOAPRequest.beginDataUpload(token: "t", spaceID: "\u{1}", sourceName: "s").envelope() }
    }

    @Test("SOAPAction is quoted and names the operation")
    func soapAction() {
        #expect(BirstOperation.uploadData.soapAction == #""http://www.birst.com/uploadData""#)
        #expect(BirstOperation.login.soapAction == #""http://www.birst.com/Login""#)
    }

    @Test("descriptions never show the password or the login token")
    func descriptionsRedact() {
        let credentials = BirstCredentials(username: "baton", password: "s3cret-pass")
        #expect(!SOAPRequest.login(credentials).description.contains("s3cret-pass"))
        #expect(!"\(credentials)".contains("s3cret-pass"))
        #expect(!String(reflecting: credentials).contains("s3cret-pass"))
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("s3cret-pass"))
        #expect(!SOAPRequest.getLoadStatus(token: "0123456789abcdef", spaceID: "s").description.contains("0123456789abcdef"))
    }

    @Test("a response with a DOCTYPE / external entity is refused")
    func doctypeRefused() {
        let hostile = #"""
            <?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
            <getLoadStatusResponse xmlns="http://www.birst.com/"><getLoadStatusResult>&xxe;</getLoadStatusResult>
            </getLoadStatusResponse></soap:Body></soap:Envelope>
            """#
        #expect(throws: SOAPResponse.Problem.self) { try SOAPResponse.read(Array(hostile.utf8), for: .getLoadStatus) }
        let lowercase = #"<?xml version="1.0"?><!doctype r><r/>"#
        #expect(throws: SafeXMLParser.Refusal.self) { try SafeXMLParser.parse(Array(lowercase.utf8)) }
    }

    @Test("faults are parsed and classified as in birst-api.md")
    func faults() throws {
        func fault(_ string: String) -> [UInt8] {
            Array(#"""
                <?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>\#(string)</faultstring><detail><b:error xmlns:b="http://www.birst.com/"><b:message>m</b:message></b:error></detail></soap:Fault></soap:Body></soap:Envelope>
                """#.utf8)
        }
        let cases: [(String, BirstError.Kind)] = [
            ("isComplete: token 0123456789abcdef0123456789abcdef is not valid or has expired.", .invalidToken),
            ("Server was unable to process request. ---&gt; boom", .transient),
            ("Validation failure", .badCredentials),
            ("Login: Failed web service login request for user x", .badCredentials),
            ("Login: Failed web services login attempt for user x", .badCredentials),
            ("publishData: Space s is busy", .fault),
        ]
        for (string, kind) in cases {
            guard case .fault(let parsed) = try SOAPResponse.read(fault(string), for: .isJobComplete) else {
                Issue.record("no fault parsed for \(string)")
                continue
            }
            #expect(parsed.code == "soap:Server")
            #expect(parsed.detailMessage == "m")
            #expect(FaultClassifier.kind(of: parsed) == kind, "\(string)")
        }
    }

    @Test("answers must be <OperationResponse> in the Birst namespace")
    func answerNamespace() throws {
        let wrong = #"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><LoginResponse xmlns="http://example.com/"><LoginResult>x</LoginResult></LoginResponse></soap:Body></soap:Envelope>"#
        #expect(throws: SOAPResponse.Problem.self) { try SOAPResponse.read(Array(wrong.utf8), for: .login) }
        let right = #"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><b:LoginResponse xmlns:b="http://www.birst.com/"><b:LoginResult>abc</b:LoginResult></b:LoginResponse></s:Body></s:Envelope>"#
        guard case .answer(let node) = try SOAPResponse.read(Array(right.utf8), for: .login) else {
            Issue.record("no answer")
            return
        }
        #expect(try AnswerReader.token(node, .login) == "abc")
    }
}
