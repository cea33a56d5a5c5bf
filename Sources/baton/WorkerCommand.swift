import ArgumentParser
import Baton
import Logging
import ServiceLifecycle

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
            stream (`baton metrics` reads them).
            """
    )

    @OptionGroup var config: ConfigOptions

    @Option(help: "Slices in flight at once (worker.concurrency, default 64).")
    var concurrency: Int?

    @Option(help: ArgumentHelp("How long one slice may run (worker.sliceBudget, default 5m).", valueName: "DURATION"))
    var sliceBudget: String?

    @Option(help: "Kafka bootstrap servers (kafka.bootstrapServers).")
    var bootstrapServers: String?

    @Option(help: "Worker id in headers and logs (default: host-pid).")
    var id: String?

    func run() async throws {
        let configuration = try await config.load(flags: [
            "worker.concurrency": concurrency.map(String.init),
            "worker.sliceBudget": sliceBudget,
            "kafka.bootstrapServers": bootstrapServers,
        ])
        let logger = Logger(label: "baton.worker")
        // Metrics as EMF lines on stderr, next to the logs; flushed once more at the end.
        MetricsBootstrap.bootstrap(interval: configuration.metricsInterval)
        defer { MetricsBootstrap.shutdown() }
        let group = try WorkerService.serviceGroup(
            configuration: configuration, workerID: id, logger: logger, signals: [.sigterm, .sigint]
        )
        try await group.run()
    }
}
