import ArgumentParser
import Baton
import Foundation
import Logging

/// `baton-bench`: throughput, latency and memory figures for Baton's parts against the
/// local stack (`scripts/bench` starts one and runs this). Prints a table on stdout,
/// progress on stderr. Nothing is compared with a limit: the figures are for people.
@main
struct BatonBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baton-bench",
        abstract: "Measure Baton's Kafka, S3, Birst and end-to-end throughput and its memory.",
        discussion: """
            Needs the local stack's environment (BATON_KAFKA_BOOTSTRAP_SERVERS, BATON_S3_…): \
            run it through scripts/bench, which builds it in release mode, starts a private \
            stack and stops it again. Each figure is the median of a few repetitions after \
            a warm-up, with their min–max. MB = 10^6 bytes, MiB = 2^20 bytes.
            """)

    @Flag(help: "Smaller sizes and fewer repetitions: a smoke run of about a minute.")
    var quick = false

    @Option(help: "Benchmarks to run, comma-separated: produce, consume, upload, s3, e2e, worker, log, envelope (default: all).")
    var only: String?

    @Option(help: "The release `baton` executable for the idle-worker memory figure (default: next to this one).")
    var baton: String?

    @Option(help: "Write the idle worker's pid here while it runs.")
    var workerPidFile: String?

    @Option(help: "worker.concurrency of the end-to-end workers (default 32).")
    var e2eConcurrency: Int?

    @Option(help: "Directory for the in-process workers' JSON logs, e2e-workers.log (default: the temporary directory).")
    var logDir: String?

    func run() async throws {
        // Quiet by default; BATON_BENCH_LOG_LEVEL=info (or debug) logs every part, as JSON
        // lines on stderr, for looking into a figure.
        var level = Logger.Level.warning
        if let name = ProcessInfo.processInfo.environment["BATON_BENCH_LOG_LEVEL"], let parsed = Logger.Level(rawValue: name) {
            level = parsed
            LogBootstrap.bootstrap(level: name)
        } else {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .warning
                return handler
            }
        }
        var logger = Logger(label: "baton-bench")
        logger.logLevel = level

        let all = ["produce", "consume", "upload", "s3", "e2e", "worker", "log", "envelope"]
        let selected = only.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? all
        if let unknown = selected.first(where: { !all.contains($0) }) {
            throw ValidationError("unknown benchmark \"\(unknown)\"; choose from \(all.joined(separator: ", "))")
        }
        var plan = quick ? Plan.quick : Plan.full
        if let e2eConcurrency { plan.endToEndConcurrency = e2eConcurrency }
        let context = BenchContext(
            plan: plan, stack: try BenchStack.current(), logger: logger,
            runID: String(UUID().uuidString.prefix(8)).lowercased(),
            logDirectory: logDir ?? NSTemporaryDirectory())
        let batonPath = baton ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("baton").path

        var table = FigureTable()
        var failures: [String] = []
        let started = ContinuousClock.now
        // A failing benchmark is reported after the table; the others still run.
        func section(_ name: String, _ title: String, _ body: () async throws -> [Figure]) async {
            guard selected.contains(name) else { return }
            progress("— \(title)")
            let sectionStarted = ContinuousClock.now
            do {
                table.add(contentsOf: try await body())
            } catch {
                progress("\(title) FAILED: \(error)")
                failures.append("\(title): \(error)")
            }
            if let memory = Memory.status() {
                table.add(Figure("6 Memory", "bench process peak RSS (VmHWM) after \(title)", "MiB", [memory.peak]))
            }
            progress("\(title): \(String(format: "%.1f", (ContinuousClock.now - sectionStarted).inSeconds)) s")
        }

        let kafka = KafkaBenchmarks(context: context)
        let transfers = TransferBenchmarks(context: context)
        await section("produce", "Kafka produce") { try await kafka.produce() }
        await section("consume", "Kafka consume") { try await kafka.consume() + kafka.pauseResume() }
        await section("upload", "Birst upload") { try await transfers.birstUpload() }
        await section("s3", "S3 ranged GET") { try await transfers.s3RangedGets() }
        await section("e2e", "end to end") { try await EndToEndBenchmark(context: context).run() }
        await section("worker", "idle worker") {
            try await IdleWorkerMemory(context: context, baton: batonPath, pidFile: workerPidFile).run()
        }

        await section("log", "JSON log lines") { LogBenchmark(lines: quick ? 5_000 : 20_000, repetitions: quick ? 3 : 5).run() }
        await section("envelope", "envelope coding") { try EnvelopeBenchmark(iterations: quick ? 2_000 : 10_000, repetitions: quick ? 3 : 5).run() }

        // Memory rows gathered at the end, in measurement order.
        let memory = table.figures.filter { $0.section == "6 Memory" }
        table.figures = table.figures.filter { $0.section != "6 Memory" } + memory

        print("Baton benchmarks (\(quick ? "--quick" : "full run")), \(ISO8601DateFormatter().string(from: Date()))")
        print(table.render())
        print("MB = 10^6 bytes, MiB = 2^20 bytes; median of n repetitions after a warm-up; run took "
            + "\(Int((ContinuousClock.now - started).inSeconds)) s.")
        if !failures.isEmpty {
            print("FAILED:\n" + failures.map { "  " + $0 }.joined(separator: "\n"))
            throw ExitCode.failure
        }
    }
}
