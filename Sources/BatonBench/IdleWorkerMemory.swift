import BirstSimulator
import Foundation
import Kafka

#if canImport(Glibc)
import Glibc
#endif

/// §6 the resident memory of an idle `baton worker --concurrency 64` process (the release
/// binary), once it has joined its group and been assigned its partitions.
///
/// Started through `/bin/sh -c 'exec …'` with Foundation.Process, only for this
/// measurement; a Foundation.Process child may have SIGTERM blocked (PLATFORM-NOTES), so it
/// is stopped with SIGKILL.
struct IdleWorkerMemory {
    let context: BenchContext
    /// The release `baton` executable.
    let baton: String
    /// Where the child's pid is written while it runs (the bench script kills it from
    /// there if this process dies first).
    let pidFile: String?

    func run() async throws -> [Figure] {
        // A worker logs in to Birst before it joins its group (the start-up check), and
        // stays out of the group while Birst is unreachable: with nothing answering, the
        // worker was never assigned partitions. A simulator in this process answers.
        let simulator = BirstSimulator(logger: context.logger)
        let port = try await simulator.start()
        do {
            let figures = try await measure(birstEndpoint: "http://127.0.0.1:\(port)/CommandWebService.asmx")
            await simulator.stop()
            return figures
        } catch {
            await simulator.stop()
            throw error
        }
    }

    private func measure(birstEndpoint: String) async throws -> [Figure] {
        guard FileManager.default.isExecutableFile(atPath: baton) else {
            throw BenchFailure("\(baton) is not an executable (build it: swift build -c release --product baton)")
        }
        let prefix = context.name("idle") + "."
        let jobs = prefix + "baton.jobs"
        try await context.createTopics([NewTopic(name: jobs, partitions: 4)])

        let directory = NSTemporaryDirectory() + context.name("idle")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configFile = directory + "/baton.yaml"
        let log = directory + "/worker.log"
        try "worker:\n  concurrency: 64\nlog:\n  level: info\n".write(toFile: configFile, atomically: true, encoding: .utf8)

        let stack = context.stack
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", #"exec "$0" worker --config "$1" --concurrency 64 2>"$2" >/dev/null"#, baton, configFile, log,
        ]
        process.environment = [
            "PATH": "/usr/bin:/bin",
            "BATON_KAFKA_BOOTSTRAP_SERVERS": stack.kafkaBootstrapServers,
            "BATON_KAFKA_GROUP_ID": context.name("idle-workers"),
            "BATON_KAFKA_SESSION_TIMEOUT": "6s",
            "BATON_TOPICS_PREFIX": prefix,
            "BATON_S3_ENDPOINT": stack.s3Endpoint,
            "BATON_S3_REGION": stack.s3Region,
            "BATON_S3_ACCESS_KEY_ID": stack.s3AccessKeyID,
            "BATON_S3_SECRET_ACCESS_KEY": stack.s3SecretAccessKey,
            // Only the start-up check's login.
            "BATON_BIRST_ENDPOINT": birstEndpoint,
            "BATON_BIRST_USERNAME": "baton",
            "BATON_BIRST_PASSWORD": "baton-dev",
        ]
        process.standardInput = FileHandle.nullDevice
        progress("idle worker: starting \(baton) worker --concurrency 64")
        try process.run()
        let pid = process.processIdentifier
        if let pidFile { try? "\(pid)\n".write(toFile: pidFile, atomically: true, encoding: .utf8) }
        defer {
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
            if let pidFile { try? FileManager.default.removeItem(atPath: pidFile) }
        }

        // Joined and assigned (on Tansu about half the 6 s session timeout), then idle.
        let joinDeadline = ContinuousClock.now + .seconds(30)
        while !((try? String(contentsOfFile: log, encoding: .utf8))?.contains("partitions assigned") ?? false) {
            guard process.isRunning else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw BenchFailure("the worker exited (status \(process.terminationStatus)): \(text.suffix(600))")
            }
            guard ContinuousClock.now < joinDeadline else { throw BenchFailure("the worker was not assigned partitions within 30 s") }
            try await Task.sleep(for: .milliseconds(100))
        }
        progress("idle worker: assigned; sampling its RSS")
        try await Task.sleep(for: .seconds(2))
        var samples: [Double] = []
        var peak = 0.0
        for _ in 0..<5 {
            guard let status = Memory.status(pid: String(pid)) else { throw BenchFailure("cannot read /proc/\(pid)/status") }
            samples.append(status.current)
            peak = status.peak
            try await Task.sleep(for: .milliseconds(500))
        }
        let threads = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("Threads:") }
            .flatMap { Double($0.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) }
        let section = "6 Memory"
        return [
            Figure(section, "idle `baton worker --concurrency 64` (release), RSS, 5 samples over 2.5 s", "MiB", samples),
            Figure(section, "  its peak RSS (VmHWM)", "MiB", [peak]),
            Figure(section, "  its threads", "threads", threads.map { [$0] } ?? []),
        ]
    }
}
