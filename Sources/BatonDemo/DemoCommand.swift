import ArgumentParser
import Baton
import Logging

/// `baton demo`: the whole relay on one machine, from S3 to Birst, in about a minute.
public struct DemoCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show Baton at work: a local stack, a simulated Birst, workers and a few reports.",
        discussion: """
            What it starts (and stops again at the end):
              - the local stack: scripts/stack up --dir .stack/demo (Kafka, S3, SMTP);
                never the default .stack, which tests and other work use
              - a Birst simulator inside this process, on a free loopback port,
                time-scaled so that a 40-minute publish takes 20 s
              - --workers `baton worker` processes of this build, with short slices,
                logging to .stack/demo/worker-N.log

            Then it uploads generated CSV reports (120 KB to 4.8 MB) to s3://reports and
            publishes their events: the finance and sales reports at the same moment, for
            different Birst spaces, the others a second apart. Every hand-off is printed
            as it happens: time, job, report, slice, worker, why the slice ended, the
            job's stage now, bytes uploaded. A table of outcomes and slices per job and
            the end-to-end figures (wall time, jobs/min) close the run.

            Stopping: workers get SIGTERM (SIGKILL after 15 s), then the simulator and
            the stack are stopped. Ctrl-C or SIGTERM does the same at any point; a
            second Ctrl-C kills the workers at once.

            Exit status: 0 when every job completed and Birst received exactly what S3
            holds, 1 otherwise, 130 when interrupted before the jobs finished.

            Examples:
              make demo                            (bootstrap, build, baton demo)
              baton demo --keep-running            (explore afterwards; Ctrl-C ends it)
              baton demo --reports 2 --workers 1 --slice-budget 5s
            """
    )

    static let defaultStackDirectory = ".stack/demo"

    @Flag(help: "After the summary, leave the stack, the simulator and the workers running (until Ctrl-C), and print how to reach them.")
    var keepRunning = false

    @Option(help: "Worker processes to start (1-12; the jobs topic has 12 partitions).")
    var workers = 3

    @Option(help: ArgumentHelp("Sample reports to publish (1-\(SampleReport.catalogue.count)).", valueName: "N"))
    var reports = SampleReport.catalogue.count

    @Option(help: ArgumentHelp(
        "Real time = Birst time x this (default 1/120 = 0.00833: a 40-minute Birst publish takes 20 s).", valueName: "X"))
    var timeScale: Double?

    @Option(help: ArgumentHelp("How long one slice may run before the job is handed on.", valueName: "DURATION"))
    var sliceBudget = "2.5s"

    @Option(help: ArgumentHelp("How long the jobs may take from the first publish to the last outcome.", valueName: "DURATION"))
    var timeout = "3m"

    @Option(help: ArgumentHelp("The stack directory, relative to the repository root.", valueName: "DIR"))
    var stackDir = defaultStackDirectory

    @Option(help: ArgumentHelp(
        "The first N upload chunks are applied by Birst and answered a whole slice budget later, past the slice's deadline.",
        valueName: "N"))
    var overrunChunks = 0

    /// The command with its defaults (ArgumentParser fills in the options).
    public init() {}

    public func validate() throws {
        guard (1...12).contains(workers) else { throw ValidationError("--workers must be 1 to 12 (the jobs topic has 12 partitions)") }
        guard (1...SampleReport.catalogue.count).contains(reports) else {
            throw ValidationError("--reports must be 1 to \(SampleReport.catalogue.count)")
        }
        guard (timeScale ?? 1) > 0, (timeScale ?? 1) <= 1 else { throw ValidationError("--time-scale must be in (0, 1]") }
        guard let budget = ConfigDuration.parse(sliceBudget), budget >= .seconds(1) else {
            throw ValidationError("--slice-budget: expected a duration of at least 1s, like 2.5s")
        }
        guard overrunChunks >= 0 else { throw ValidationError("--overrun-chunks must not be negative") }
        guard ConfigDuration.parse(timeout) != nil else { throw ValidationError("--timeout: expected a duration like 3m") }
        let normalized = stackDir.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        guard !stackDir.hasPrefix("/"), !stackDir.contains(".."), normalized != ".stack", !normalized.isEmpty else {
            throw ValidationError("--stack-dir must be a directory inside the repository other than .stack")
        }
    }

    public func run() async throws {
        LogBootstrap.bootstrap(level: "warning")  // people read stdout; the workers' logs go to files
        let settings = DemoSettings(
            workers: workers, reports: reports, timeScale: timeScale ?? DemoSettings.defaultTimeScale, sliceBudget: ConfigDuration.parse(sliceBudget)!,
            keepRunning: keepRunning, timeout: ConfigDuration.parse(timeout)!, stackDirectory: stackDir,
            overrunChunks: overrunChunks)
        let status = await DemoRun(settings: settings, logger: Logger(label: "baton.demo")).execute()
        if status != 0 { throw ExitCode(status) }
    }
}
