import StackTestSupport
import Foundation
import Testing

@testable import Curl

@Suite("CurlClient: HTTP on one driver thread")
struct CurlClientTests {
    @Test("a request's method, headers and body reach the server; status, headers and body come back")
    func roundTrip() async throws {
        let server = try LoopbackServer(.http { request in
            let echo = "\(request.method) \(request.target) \(request.header("X-Baton-Test") ?? "-") "
                + String(decoding: request.body, as: UTF8.self)
            return httpResponse(status: "201 Created", headers: ["X-Echo-Length: \(request.body.count)"], body: echo)
        })
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let body = Array("<soap>grüße</soap>".utf8)
        let response = try await withTimeout(10, "the POST") {
            try await client.execute(HTTPRequest(
                method: "POST", url: server.baseURL + "/upload?x=1",
                headers: [HTTPHeader("X-Baton-Test", "yes"), HTTPHeader("Content-Type", "text/xml")],
                body: body, timeout: .seconds(5)))
        }
        #expect(response.status == 201)
        #expect(response.bodyText == "POST /upload?x=1 yes <soap>grüße</soap>")
        #expect(response.header("x-echo-length") == "\(body.count)")
        #expect(response.header("X-ECHO-LENGTH") == "\(body.count)")
        #expect(response.header("missing") == nil)

        for method in ["PUT", "DELETE", "PATCH"] {
            let other = try await withTimeout(10, method) {
                try await client.execute(HTTPRequest(method: method, url: server.baseURL + "/m", body: [1, 2, 3]))
            }
            #expect(other.bodyText.hasPrefix("\(method) /m - "))
            #expect(other.body.suffix(3) == [1, 2, 3])
        }
        let head = try await withTimeout(10, "HEAD") {
            try await client.execute(HTTPRequest(method: "HEAD", url: server.baseURL + "/h"))
        }
        #expect(head.status == 201)
        #expect(head.body.isEmpty)
    }

    @Test("200 concurrent requests complete on the client's single driver thread")
    func manyConcurrentRequests() async throws {
        let stack = try TestStack.current()
        let client = CurlClient()
        defer { client.shutdown() }
        let s3 = S3Client(configuration: .init(stack: stack), http: client)
        let bucket = uniqueName("concurrent")
        let payload = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try await withTimeout(20, "setup") {
            try await s3.createBucket(bucket)
            try await s3.putObject(bucket: bucket, key: "data.bin", body: payload)
        }

        let threadsBefore = threadNames()
        #expect(threadsBefore.filter { $0 == client.driverThreadName }.count == 1)
        let sampler = Task {
            var maxDriverThreads = 0
            var maxThreads = 0
            while !Task.isCancelled {
                let names = threadNames()
                maxDriverThreads = max(maxDriverThreads, names.filter { $0 == client.driverThreadName }.count)
                maxThreads = max(maxThreads, names.count)
                try? await Task.sleep(for: .milliseconds(20))
            }
            return (maxDriverThreads, maxThreads)
        }

        let started = ContinuousClock.now
        let count = 200
        let results = try await withTimeout(25, "\(count) concurrent ranged GETs") {
            try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                for index in 0..<count {
                    group.addTask {
                        let lower = index * 97
                        let object = try await s3.getObject(bucket: bucket, key: "data.bin", range: lower..<(lower + 100))
                        return (index, object.bytes)
                    }
                }
                var results: [Int: [UInt8]] = [:]
                for try await (index, bytes) in group { results[index] = bytes }
                return results
            }
        }
        let elapsed = ContinuousClock.now - started
        sampler.cancel()
        let (maxDriverThreads, maxThreads) = await sampler.value

        #expect(results.count == count)
        for (index, bytes) in results {
            #expect(bytes == Array(payload[(index * 97)..<(index * 97 + 100)]))
        }
        #expect(maxDriverThreads == 1, "exactly one driver thread for the client")
        // The process's whole thread count is no measure: suites running alongside (Kafka
        // clients, workers, simulators) start and end their own threads meanwhile.
        _ = (threadsBefore, maxThreads)
        print("200 concurrent ranged GETs against moto: \(elapsed)")
    }

    @Test("the connect timeout fires against a peer that never completes the handshake")
    func connectTimeout() async throws {
        let server = try LoopbackServer(.blackhole)
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        // The total timeout is far longer: only the connect timeout can end the request
        // before half of it, however busy the machine.
        let total = TestTime.seconds(60)
        let started = ContinuousClock.now
        let error = try await withTimeout(40, "the connect timeout") {
            await #expect(throws: CurlError.self) {
                _ = try await client.execute(HTTPRequest(
                    url: server.baseURL + "/", connectTimeout: .milliseconds(300), timeout: total))
            }
        }
        let elapsed = ContinuousClock.now - started
        #expect(error?.isTimeout == true)
        #expect(error?.isConnectionFailure == true, "\(String(describing: error))")
        #expect(elapsed >= .milliseconds(250), "took \(elapsed)")
        #expect(elapsed < total / 2, "took \(elapsed): the total timeout, not the connect timeout, ended it")
    }

    @Test("the total timeout fires against a server that accepts but never answers")
    func totalTimeout() async throws {
        let server = try LoopbackServer(.silent)
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let started = ContinuousClock.now
        // The server never answers: only the 500 ms timeout can end the request, so the
        // error kind is the claim; withTimeout bounds the wait.
        let error = try await withTimeout(10, "the total timeout") {
            await #expect(throws: CurlError.self) {
                _ = try await client.execute(HTTPRequest(url: server.baseURL + "/slow", timeout: .milliseconds(500)))
            }
        }
        let elapsed = ContinuousClock.now - started
        #expect(error?.isTimeout == true)
        #expect(error?.isConnectionFailure == false, "it did connect: \(String(describing: error))")
        #expect(elapsed >= .milliseconds(450), "took \(elapsed)")
    }

    @Test("a timeout on a reused keep-alive connection may have reached the server")
    func timeoutOnReusedConnection() async throws {
        // libcurl 7.88.1 reports CURLINFO_CONNECT_TIME_T 0 for a reused connection; the
        // request was sent all the same, so it is no connection failure.
        let server = try LoopbackServer(.answerOnceThenSilent)
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let first = try await withTimeout(10, "the first request") {
            try await client.execute(HTTPRequest(method: "POST", url: server.baseURL + "/one", body: Array("a".utf8), timeout: .seconds(5)))
        }
        #expect(first.status == 200)
        let error = try await withTimeout(10, "the second request") {
            await #expect(throws: CurlError.self) {
                _ = try await client.execute(HTTPRequest(
                    method: "POST", url: server.baseURL + "/two", body: Array("b".utf8), timeout: .milliseconds(500)))
            }
        }
        #expect(error?.isTimeout == true)
        #expect(error?.isConnectionFailure == false, "the request went out on a reused connection: \(String(describing: error))")
        // The server did receive the second request.
        try await eventually(10, "the server to read the second request") {
            server.receivedRequests.map(\.target) == ["/one", "/two"]
        }
    }

    @Test("connection refused is a connection failure, and errors carry no credentials")
    func connectionRefused() async throws {
        let port = try LoopbackServer.closedPort()
        let client = CurlClient()
        defer { client.shutdown() }

        let url = "http://baton:hunter2@127.0.0.1:\(port)/path?X-Amz-Signature=deadbeef&part=1"
        let error = try await withTimeout(10, "connection refused") {
            await #expect(throws: CurlError.self) {
                _ = try await client.execute(HTTPRequest(url: url, timeout: .seconds(5)))
            }
        }
        #expect(error?.isConnectionFailure == true)
        #expect(error?.isTimeout == false)
        #expect(error?.code == 7)  // CURLE_COULDNT_CONNECT
        let text = "\(String(describing: error)) \(error?.url ?? "")"
        #expect(!text.contains("hunter2") && !text.contains("deadbeef"), "\(text)")
        #expect(text.contains("127.0.0.1:\(port)/path"))
        #expect(text.contains("part=1"))
    }

    @Test("a cookie jar goes out as Cookie, and Set-Cookie comes back in the jar")
    func cookies() async throws {
        let server = try LoopbackServer(.http { request in
            httpResponse(
                headers: ["Set-Cookie: session=s-\(request.target.dropFirst()); Path=/"],
                body: request.header("Cookie") ?? "")
        })
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        var start = CookieJar()
        start.set(name: "affinity", value: "node-7", domain: "127.0.0.1")
        let jar = start
        let first = try await withTimeout(10, "the first request") {
            try await client.execute(HTTPRequest(url: server.baseURL + "/one", cookies: jar))
        }
        #expect(first.bodyText == "affinity=node-7")
        #expect(first.cookies.value(named: "affinity") == "node-7")
        #expect(first.cookies.value(named: "session") == "s-one")

        // The jar travels as a string (e.g. in a job envelope) and works again.
        let carried = try #require(CookieJar(serialized: first.cookies.serialized))
        #expect(carried == first.cookies)
        let second = try await withTimeout(10, "the second request") {
            try await client.execute(HTTPRequest(url: server.baseURL + "/two", cookies: carried))
        }
        let sent = Set(second.bodyText.components(separatedBy: "; "))
        #expect(sent == ["affinity=node-7", "session=s-one"])
        #expect(second.cookies.value(named: "session") == "s-two")

        // Without a jar the cookie engine is off: nothing sent, nothing kept.
        let none = try await withTimeout(10, "a request without a jar") {
            try await client.execute(HTTPRequest(url: server.baseURL + "/three"))
        }
        #expect(none.bodyText == "")
        #expect(none.cookies.isEmpty)
    }

    @Test("cancelling the calling task ends an in-flight request at once")
    func cancellation() async throws {
        let server = try LoopbackServer(.silent)
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        // "At once" means long before the request's own timeout would have ended it.
        let requestTimeout = TestTime.seconds(60)
        let task = Task {
            try await client.execute(HTTPRequest(url: server.baseURL + "/never", timeout: requestTimeout))
        }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        task.cancel()
        let result = try await withTimeout(30, "the cancelled request") { await task.result }
        let elapsed = ContinuousClock.now - started
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(elapsed < requestTimeout / 2, "cancellation took \(elapsed)")

        // A task cancelled before it even starts its request never reaches the server.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.execute(HTTPRequest(url: server.baseURL + "/never", timeout: .seconds(30)))
        }
        let earlyResult = try await withTimeout(5, "the pre-cancelled request") { await early.result }
        #expect(throws: CancellationError.self) { try earlyResult.get() }

        // The client keeps working.
        let echo = try LoopbackServer(.http { _ in httpResponse(body: "still here") })
        defer { echo.stop() }
        let after = try await withTimeout(10, "a request after cancellations") {
            try await client.execute(HTTPRequest(url: echo.baseURL + "/"))
        }
        #expect(after.bodyText == "still here")
    }

    @Test("shutdown fails in-flight and later requests with a clear error, and is idempotent")
    func shutdown() async throws {
        let server = try LoopbackServer(.silent)
        defer { server.stop() }
        let client = CurlClient()

        let inFlight = Task {
            try await client.execute(HTTPRequest(url: server.baseURL + "/never", timeout: .seconds(30)))
        }
        try await Task.sleep(for: .milliseconds(200))
        client.shutdown()
        let result = try await withTimeout(5, "the in-flight request after shutdown") { await inFlight.result }
        #expect(throws: CurlError.self) { try result.get() }
        if case .failure(let error as CurlError) = result {
            #expect(error.isShutDown)
            #expect(error.description.contains("shut down"))
        }
        client.shutdown()  // idempotent
        let later = await #expect(throws: CurlError.self) {
            _ = try await client.execute(HTTPRequest(url: server.baseURL + "/"))
        }
        #expect(later?.isShutDown == true)
    }

    @Test("headers with line breaks and malformed methods are rejected before sending")
    func invalidRequests() async throws {
        let client = CurlClient()
        defer { client.shutdown() }
        let injected = await #expect(throws: CurlError.self) {
            _ = try await client.execute(HTTPRequest(
                url: "http://127.0.0.1:1/", headers: [HTTPHeader("X-Evil", "a\r\nHost: elsewhere")]))
        }
        #expect(injected?.message.contains("malformed header") == true)
        await #expect(throws: CurlError.self) {
            _ = try await client.execute(HTTPRequest(method: "GET /x HTTP/1.1", url: "http://127.0.0.1:1/"))
        }
        await #expect(throws: CurlError.self) {
            _ = try await client.execute(HTTPRequest(url: "file:///etc/passwd"))
        }
    }
}

/// The names of this process's threads, as the OS reports them.
func threadNames() -> [String] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.compactMap { id in
        (try? String(contentsOfFile: "/proc/self/task/\(id)/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension S3Configuration {
    init(stack: TestStack, secret: String? = nil) {
        self.init(
            endpoint: stack.s3Endpoint, region: stack.s3Region,
            credentials: S3Credentials(
                accessKeyID: stack.s3AccessKeyID, secretAccessKey: secret ?? stack.s3SecretAccessKey),
            pathStyle: true, timeout: .seconds(20))
    }
}
