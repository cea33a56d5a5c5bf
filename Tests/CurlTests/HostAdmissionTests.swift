import StackTestSupport
import Foundation
import Testing

@testable import Curl

/// The driver hands libcurl at most a host's connection limit of transfers and queues the
/// rest itself (issue 10: libcurl's own pending list cost O(pending) per finished transfer).
@Suite("CurlClient: transfers beyond a host's connections wait in the driver")
struct HostAdmissionTests {
    @Test("forty requests to a host allowed two connections all complete, each with its own answer")
    func moreRequestsThanConnections() async throws {
        let server = try LoopbackServer(.http { request in httpResponse(body: request.target) })
        defer { server.stop() }
        let client = CurlClient(maximumConnectionsPerHost: 2)
        defer { client.shutdown() }

        let bodies = try await withTimeout(60, "forty requests") {
            try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        try await client.execute(HTTPRequest(url: server.baseURL + "/r\(index)", timeout: .seconds(30))).bodyText
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
        }
        #expect(bodies.count == 40)
        #expect(Set(bodies) == Set((0..<40).map { "/r\($0)" }))
    }

    @Test("a request whose timeout runs out while it waits for its host's only connection fails as a timeout that sent nothing")
    func timeoutWhileWaiting() async throws {
        let server = try LoopbackServer(.silent)
        defer { server.stop() }
        let client = CurlClient(maximumConnectionsPerHost: 1)
        defer { client.shutdown() }

        let holder = Task { try await client.execute(HTTPRequest(url: server.baseURL + "/holds", timeout: TestTime.seconds(30))) }
        defer { holder.cancel() }
        let error = try await withTimeout(20, "the waiting request's timeout") {
            await #expect(throws: CurlError.self) {
                _ = try await client.execute(HTTPRequest(url: server.baseURL + "/waits", timeout: .milliseconds(300)))
            }
        }
        #expect(error?.isTimeout == true)
        #expect(error?.isConnectionFailure == true, "it never left the driver: \(String(describing: error))")
    }

    @Test("transfers are queued per scheme, host and port as written")
    func hostKey() {
        #expect(HostAdmission.host(of: "http://Birst.example:8080/CommandWebService.asmx") == "http://birst.example:8080")
        #expect(HostAdmission.host(of: "http://birst.example:8080?x=1") == "http://birst.example:8080")
        #expect(HostAdmission.host(of: "https://birst.example:8080/") != HostAdmission.host(of: "http://birst.example:8080/"))
        #expect(HostAdmission.host(of: "http://birst.example:8081/") != HostAdmission.host(of: "http://birst.example:8080/"))
    }
}
