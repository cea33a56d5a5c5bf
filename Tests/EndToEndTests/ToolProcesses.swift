import BatonTestSupport
import Curl
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Running the command-line tools the metrics and report tests check against (promtool,
/// Prometheus, Chromium, `baton metrics|report`), each bounded.
enum ToolProcesses {
    /// Runs `arguments` to its end (bounded by `timeout`) with stdout to `stdout` and
    /// stderr to `stderr`; returns the exit status.
    static func run(_ arguments: [String], stdout: String, stderr: String, stdin: String = "/dev/null", environment: [String: String] = [:], timeout: Duration = .seconds(60)) async throws -> Int32 {
        // sh only redirects: the arguments are passed as positional parameters, never parsed.
        let process = try ChildProcess(["/bin/sh", "-c", #"in=$1; out=$2; err=$3; shift 3; exec "$@" <"$in" >"$out" 2>"$err""#, "sh", stdin, stdout, stderr] + arguments, environment: environment)
        do {
            return try await process.wait(timeout: timeout)
        } catch {
            process.kill()
            throw error
        }
    }

    /// A TCP port free on 127.0.0.1 right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The value of a Prometheus instant query's single result, nil while there is none.
    static func prometheusValue(_ http: CurlClient, port: Int, query: String) async -> Double? {
        var components = URLComponents(string: "http://127.0.0.1:\(port)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: query)]
        guard let url = components.url?.absoluteString,
            let response = try? await http.execute(HTTPRequest(url: url, connectTimeout: .seconds(2), timeout: .seconds(5))),
            response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let data = object["data"] as? [String: Any],
            let result = (data["result"] as? [[String: Any]])?.first,
            let value = result["value"] as? [Any], value.count == 2, let text = value[1] as? String
        else { return nil }
        return Double(text)
    }
}
