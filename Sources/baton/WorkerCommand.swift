import ArgumentParser
import Baton
import Logging
import ServiceLifecycle
import UnixSignals

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker: consume jobs and run one time-boxed slice of each.",
        discussion: """
            Joins the consumer group kafka.groupId on topics.jobs.name. Each message is one \
            slice of a job: upload the report from S3 into Birst, or poll Birst's processing \
            job, for at most --slice-budget; then the job is republished with its progress \
            and one retry fewer, dead-lettered, or finished with an outcome record. Run as \
            many workers as you like; partitions are shared among them.

            SIGTERM/SIGINT: stop fetching, cut slices short at a safe point, republish each \
            job with its progress (no retry spent), commit, leave the group — within \
            worker.shutdownGrace.

            Needs: birst.username and BATON_BIRST_PASSWORD; s3.accessKeyId and \
            BATON_S3_SECRET_ACCESS_KEY (or AWS_*). Logs are JSON lines on stderr with job id, \
            stage, slice, partition and offset; every log.metricsInterval (and at the end) \
            the worker's metrics follow as CloudWatch Embedded Metric Format lines in the same \
            stream (`baton metrics` reads them), and into log.metricsPath when set. \
            Durations need a unit (500ms, 15s, 5m, 1h).

            Examples:
              BATON_BIRST_PASSWORD=… baton worker
              baton worker --concurrency 32 --slice-budget 5m --id worker-a
              baton worker --config /etc/baton/baton.yaml --set worker.retries=100 --log-level debug
            """
    )

    @OptionGroup var config: ConfigOptions

    @Option(help: "Slices in flight at once (worker.concurrency, default 64, at most 20000).")
    var concurrency: Int?

    @Option(help: ArgumentHelp("How long one slice may run (worker.sliceBudget, default 5m).", valueName: "DURATION"))
    var sliceBudget: String?

    @Option(help: "Kafka bootstrap servers (kafka.bootstrapServers).")
    var bootstrapServers: String?

    @Option(help: "Worker id in headers and logs (default: host-pid).")
    var id: String?

    func run() async throws {
        // SIGTERM/SIGINT stop the worker gracefully whenever they come: one that arrived
        // while the process started was recorded by EarlySignals; from here on they are
        // read from this sequence, also while the configuration loads and the group starts.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let early = EarlySignals.caught()
        let configuration = try await config.load(flags: [
            "worker.concurrency": concurrency.map(String.init),
            "worker.sliceBudget": sliceBudget,
            "kafka.bootstrapServers": bootstrapServers,
        ])
        let logger = Logger(label: "baton.worker")
        // Metrics as EMF lines on stderr, next to the logs (and copied to log.metricsPath for
        // a sidecar when set); flushed once more at the end.
        let metricsSink = try configuration.metricsPath.map { try MetricsFile(path: $0, maxSize: configuration.metricsMaxSize).teeingStandardError }
        MetricsBootstrap.bootstrap(interval: configuration.metricsInterval, sink: metricsSink ?? .standardError)
        defer { MetricsBootstrap.shutdown() }
        let group = try WorkerService.serviceGroup(configuration: configuration, workerID: id, logger: logger)
        // The group remembers a shutdown asked for before it runs, and later signals while it
        // shuts down change nothing (the shutdown is bounded by worker.shutdownGrace).
        let watcher = Task {
            if early == nil {
                var iterator = signals.makeAsyncIterator()
                guard await iterator.next() != nil else { return }  // cancelled: the group ended on its own
            }
            await group.triggerGracefulShutdown()
        }
        defer { watcher.cancel() }
        do {
            try await group.run()
        } catch is WorkerStop {
            // Already logged (as a JSON line) by the worker: exit non-zero without adding a
            // plain-text "Error: …" line to a log of JSON lines.
            throw ExitCode(1)
        }
    }
}
