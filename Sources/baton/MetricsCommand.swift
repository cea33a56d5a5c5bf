import ArgumentParser
import Baton
import Foundation
import Logging
import ServiceLifecycle

struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Turn the metrics in worker logs into Prometheus text (or a table).",
        discussion: """
            Workers write their metrics into their log stream as CloudWatch Embedded Metric \
            Format lines, every log.metricsInterval and at the end; each line carries the \
            samples since the previous one. This command reads log lines (files, or standard \
            input for - or no file), ignores every line that is not EMF, sums what the EMF \
            lines say (counters add up, histograms collect every value, gauges keep the \
            latest) and prints Prometheus text exposition: counters, gauges and histograms \
            with _bucket/_sum/_count.

            Examples:
              baton worker 2>worker.log &  ...;  baton metrics worker.log
              kubectl logs deploy/baton-worker | baton metrics --format table
              baton metrics --follow /var/log/baton/worker.log --serve 0.0.0.0:9464
                (Prometheus scrapes http://HOST:9464/metrics; rotation is followed like tail -F)
              baton metrics --follow /var/run/baton/ --serve 0.0.0.0:9464
                (every worker's log.metricsPath file in a shared volume: deploy/compose)
              baton metrics --follow /var/run/baton/metrics.emf --serve 0.0.0.0:9464 --stale-after 60s
                (a sidecar beside a worker with log.metricsPath: /livez fails after 60 s without
                a metrics line, /readyz also while Birst or S3 is unusable; see deploy/README.md)
            """
    )

    @Argument(help: ArgumentHelp(
        "Log files to read; - (or none) reads standard input. A directory: every file in it (one per worker), labelled worker=<file name>; with --follow, new files too.",
        valueName: "FILE"))
    var files: [String] = []

    @Flag(help: "Keep reading as the files grow, across rotation and truncation (like tail -F).")
    var follow = false

    @Option(help: ArgumentHelp("Serve the metrics at http://HOST:PORT/metrics instead of printing them.", valueName: "HOST:PORT"))
    var serve: String?

    @Option(help: ArgumentHelp("With --follow and --serve: /livez answers 503 after this long without a metrics line.", valueName: "DURATION"))
    var staleAfter: String = "60s"

    @Option(help: "prometheus (text exposition) or table.")
    var format: Format = .prometheus

    @Option(help: ArgumentHelp("With --follow and without --serve: print the aggregate this often.", valueName: "DURATION"))
    var every: String = "10s"

    enum Format: String, ExpressibleByArgument {
        case prometheus, table
    }

    func run() async throws {
        LogBootstrap.bootstrap(level: "info")
        let logger = Logger(label: "baton.metrics")
        let aggregator = MetricsAggregator()
        let follower = LogFollower(paths: files, follow: follow)
        // Lines from a file found in a directory (one file per worker) are labelled with
        // the worker: the file's name without its extension.
        let read: @Sendable () async throws -> Void = {
            try await follower.run(sourced: { source, line in
                let worker = source.map { ($0 as NSString).deletingPathExtension }
                aggregator.ingest(line: line, labels: worker.map { [("worker", $0)] } ?? [])
            })
        }
        let render: @Sendable () -> String = { [format] in
            format == .table ? aggregator.table() : aggregator.prometheusText()
        }

        if let serve {
            let (host, port) = try IngestCommand.split(serve)
            guard let stale = ConfigDuration.parse(staleAfter) else { throw ValidationError("--stale-after: expected a duration like 60s") }
            let server = MetricsServer(host: host, port: port, aggregator: aggregator, logger: logger, staleAfter: follow ? stale : nil)
            let application = server.application { port in
                logger.info("serving metrics", metadata: ["url": "http://\(host):\(port)/metrics", "follow": "\(follow)"])
            }
            let services = ServiceGroup(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await withThrowingTaskGroup(of: Bool.self) { tasks in
                tasks.addTask { try await read(); return false }
                tasks.addTask { try await services.run(); return true }
                while let serverEnded = try await tasks.next() {
                    if serverEnded { tasks.cancelAll(); break }
                }
            }
            return
        }

        guard follow else {
            try await read()
            print(render(), terminator: "")
            return
        }
        guard let interval = ConfigDuration.parse(every) else { throw ValidationError("--every: expected a duration like 10s") }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await read() }
            tasks.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    print(render())
                }
            }
            _ = try await tasks.next()
            tasks.cancelAll()
        }
    }
}
