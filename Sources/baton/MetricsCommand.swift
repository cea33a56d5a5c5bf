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
            """
    )

    @Argument(help: ArgumentHelp("Log files to read; - (or none) reads standard input.", valueName: "FILE"))
    var files: [String] = []

    @Flag(help: "Keep reading as the files grow, across rotation and truncation (like tail -F).")
    var follow = false

    @Option(help: ArgumentHelp("Serve the metrics at http://HOST:PORT/metrics instead of printing them.", valueName: "HOST:PORT"))
    var serve: String?

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
        let read: @Sendable () async throws -> Void = {
            try await follower.run { line in aggregator.ingest(line: line) }
        }
        let render: @Sendable () -> String = { [format] in
            format == .table ? aggregator.table() : aggregator.prometheusText()
        }

        if let serve {
            let (host, port) = try IngestCommand.split(serve)
            let server = MetricsServer(host: host, port: port, aggregator: aggregator, logger: logger)
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
