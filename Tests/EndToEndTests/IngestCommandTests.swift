import Baton
import BatonTestSupport
import Curl
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `baton ingest` as a process: a port in use, and `/healthz` with the broker down.
@Suite("baton ingest: start-up and health")
struct IngestCommandTests {
    @Test("a port in use is an error naming the address")
    func portInUse() async throws {
        let (socket, port) = try Self.listeningSocket()
        defer { close(socket) }
        let run = try await BatonCLI.run(
            ["ingest", "--listen", "127.0.0.1:\(port)", "--set", "ingest.allowUnauthenticated=true"], timeout: .seconds(30))
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("cannot listen on 127.0.0.1:\(port): address already in use"), "\(run.output)")
    }

    @Test("/healthz answers 503 within a few seconds when the broker is down (and events are refused as fast), 200 when it is up")
    func healthz() async throws {
        let http = CurlClient()
        defer { http.shutdown() }
        for (servers, expected) in [("127.0.0.1:1", 503), (try TestStack.current().kafkaBootstrapServers, 200)] {
            let log = NSTemporaryDirectory() + uniqueName("ingest") + ".log"
            let ingest = try ChildProcess(
                [EndToEndHarness.batonExecutable, "ingest", "--listen", "127.0.0.1:0",
                 "--set", "ingest.allowUnauthenticated=true", "--set", "kafka.bootstrapServers=\(servers)"],
                logPath: log)
            defer { ingest.kill() }
            try await eventually(20, "ingest to log its port") { Self.port(in: ingest.log) != nil }
            let port = try #require(Self.port(in: ingest.log))
            let started = ContinuousClock.now
            let response = try await withTimeout(10, "/healthz") {
                try await http.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/healthz"))
            }
            #expect(response.status == expected, "\(servers): \(response.bodyText)")
            // The check itself is bounded by 2 s; the margin is for a loaded 2-core machine.
            // A publish would wait kafka.deliveryTimeout (30 s).
            #expect(ContinuousClock.now - started < TestTime.seconds(15))
            if expected == 503 {
                #expect(response.bodyText.contains("unreachable") && response.bodyText.contains("127.0.0.1:1"), "\(response.bodyText)")
                // An event is refused as fast, naming the broker, instead of waiting for a publish to time out.
                let posted = ContinuousClock.now
                let event = HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/events", body: Array("""
                    {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",
                     "s3":{"bucket":{"name":"reports"},"object":{"key":"a.csv","size":3,"eTag":"x","sequencer":"01"}}}]}
                    """.utf8))
                let refused = try await withTimeout(20, "POST /events") { try await http.execute(event) }
                #expect(refused.status == 503 && refused.bodyText.contains("127.0.0.1:1"), "\(refused.status) \(refused.bodyText)")
                #expect(ContinuousClock.now - posted < TestTime.seconds(15))
            }
            let live = try await http.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/livez"))
            #expect(live.status == 200)
            ingest.signal(SIGTERM)
            #expect(try await ingest.wait(timeout: .seconds(20)) == 0, "\(ingest.log)")
        }
    }

    /// The port in ingest's "ingest listening" log line.
    static func port(in log: String) -> Int? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("ingest listening") }),
            let range = line.range(of: #"127\.0\.0\.1:[0-9]+/events"#, options: .regularExpression)
        else { return nil }
        return Int(line[range].dropFirst("127.0.0.1:".count).dropLast("/events".count))
    }

    /// A TCP socket listening on a free loopback port.
    static func listeningSocket() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { close(descriptor); throw CocoaError(.fileWriteUnknown) }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}
