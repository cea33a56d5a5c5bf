import ArgumentParser
import Baton
import Foundation
import Logging

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Copy records between topics: dead letters back onto the jobs topic, or a time range of jobs onto itself.",
        discussion: """
            Reads --from (default: the dead-letter topic) without a consumer group and copies \
            the selected records to --to (default: the jobs topic), keyed as before. Nothing is \
            committed, deleted or written on the source. At least one bound is required \
            (--since/--until, --partition with --from-offset/--to-offset, --job-id, --key-prefix, \
            --error-kind, --resume), or --all for the whole topic.

            Each copy keeps key, value and headers and gets baton-replays (previous value + 1: \
            the worker takes it as a new lineage of the job), baton-replayed-from \
            (topic/partition/offset) and baton-replay-run. The dead-letter headers \
            (baton-error-kind, baton-error, baton-dlq-source) are dropped: the copy is a job \
            again; the dead letter stays where it is. Records already replayed --max-replays \
            times, and truncated dead letters, are refused. Without --reset-retries, --stage, \
            --reset-age or --reset-slices the bodies are copied as bytes, never decoded.

            --since/--until take ISO-8601 times (2026-11-30T08:00:00Z) or a duration ago \
            (90m, 2h). The start is looked up with offsets-for-times, a hint only: each \
            record's own timestamp decides (on the local Tansu broker the look-up answers 0, \
            so the whole partition is read; slower, still exact).

            Ctrl-C (SIGINT) or SIGTERM stops reading, waits for the copies in flight and \
            prints the last handled offset per partition as a --resume argument: running \
            the same command with it continues without duplicates. Progress goes to standard \
            error (a bar on a terminal, a line every 5 s otherwise), the summary to standard \
            output.

            Examples:
              baton replay --error-kind retries-exhausted --reset-retries 12 --dry-run
              baton replay --error-kind retries-exhausted --reset-retries 12
              baton replay --since 2026-11-30T08:00:00Z --until 2026-11-30T09:30:00Z \\
                --rate 200
              baton replay --partition 2 --from-offset 1200 --to-offset 1300
              baton replay --job-id 3f6c0d5e8a1b4c2d9e7f6a5b4c3d2e1f --reset-retries 5 \\
                --reset-age --reset-slices
              baton replay --from baton.jobs --to baton.jobs --since 1h --key-prefix 3f6c
              baton replay --error-kind too-old --reset-age \\
                --resume 'baton.jobs.dlq/0:123,baton.jobs.dlq/1:77'
            """
    )

    @OptionGroup var config: ConfigOptions

    @Option(help: ArgumentHelp("Topic to read (default: topics.deadLetters.name).", valueName: "TOPIC"))
    var from: String?

    @Option(help: ArgumentHelp("Topic to write (default: topics.jobs.name).", valueName: "TOPIC"))
    var to: String?

    @Option(help: ArgumentHelp("Records at or after this time: ISO-8601, or a duration ago (2h).", valueName: "TIME"))
    var since: String?

    @Option(help: ArgumentHelp("Records at or before this time: ISO-8601, or a duration ago.", valueName: "TIME"))
    var until: String?

    @Option(help: "Only this partition of the source (repeatable).")
    var partition: [Int32] = []

    @Option(help: "First offset to copy (inclusive; with one --partition).")
    var fromOffset: Int64?

    @Option(help: "Last offset to copy (inclusive; with one --partition).")
    var toOffset: Int64?

    @Option(help: ArgumentHelp("Only this job id (repeatable).", valueName: "JOB_ID"))
    var jobId: [String] = []

    @Option(help: "Only job ids (keys) starting with this.")
    var keyPrefix: String?

    @Option(help: ArgumentHelp("Only dead letters of this baton-error-kind (repeatable), e.g. retries-exhausted, too-old, birst-failed.", valueName: "KIND"))
    var errorKind: [String] = []

    @Flag(help: "Replay every record of the source (no bound).")
    var all = false

    @Option(help: ArgumentHelp("Set retriesLeft to N (and clear lastError).", valueName: "N"))
    var resetRetries: Int?

    @Option(help: ArgumentHelp("Set the job's stage (upload, awaitUpload, publish, awaitPublish, notify).", valueName: "STAGE"))
    var stage: String?

    @Flag(help: "Set createdAt to now, so the job passes worker.maxJobAge (the old time is kept as replayedCreatedAt).")
    var resetAge = false

    @Flag(help: "Set slices to 0, so the job passes worker.maxSlices.")
    var resetSlices = false

    @Option(help: "Refuse records already replayed this many times (baton-replays).")
    var maxReplays = 3

    @Flag(help: "Print what would be copied (counts per partition and error kind, the first job ids); write nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Copies per second at most, e.g. 200 or 200/s.", valueName: "N/s"))
    var rate: String?

    @Option(help: "Stop after copying N records, or with --dry-run after counting N (prints --resume like an interruption).")
    var limit: Int?

    @Option(help: ArgumentHelp("Continue after an interrupted run: the positions it printed.", valueName: "TOPIC/P:OFFSET,…"))
    var resume: String?

    @Flag(help: "Print the summary as one JSON line (with --dry-run, \"copied\" counts what would be copied and \"dryRun\" is true).")
    var json = false

    func run() async throws {
        let configuration = try await config.load()
        let plan = try makePlan(configuration)
        let trap = SignalTrap()
        let printer = ReplayProgressPrinter(dryRun: plan.dryRun)
        let replayer = Replayer(kafka: configuration.kafka, logger: Logger(label: "baton.replay"))
        let summary: ReplaySummary
        do {
            summary = try await replayer.run(plan, stop: trap.stop) { printer.show($0) }
        } catch let error as ReplayError {
            printer.finish()
            throw ValidationError(error.description)
        }
        printer.finish()
        if json {
            print(OperatorJSON.line(ReplayReport(summary, plan: plan)))
        } else {
            for line in ReplayReport.lines(summary, plan: plan) { print(line) }
        }
        if summary.failure != nil { throw ExitCode.failure }
        if trap.stop.reason != nil { throw ExitCode(130) }
    }

    func validate() throws {
        do {
            try selection(now: Date()).validate(resuming: resume != nil)
            _ = try resume.map { try ReplayPositions(parsing: $0) }
        } catch let error as ReplayError {
            throw ValidationError(error.description)
        }
        _ = try rewrite()
        _ = try ratePerSecond()
    }

    private func makePlan(_ configuration: BatonConfiguration) throws -> ReplayPlan {
        let plan = ReplayPlan(
            source: from ?? configuration.topics.deadLetters.name, destination: to ?? configuration.topics.jobs.name,
            selection: try selection(now: Date()), rewrite: try rewrite(),
            dryRun: dryRun, ratePerSecond: try ratePerSecond(), limit: limit,
            resume: try resume.map { try ReplayPositions(parsing: $0) } ?? ReplayPositions())
        do {
            try plan.validate()
        } catch let error as ReplayError {
            throw ValidationError(error.description)
        }
        return plan
    }

    private func selection(now: Date) throws -> ReplaySelection {
        ReplaySelection(
            since: try since.map { try TimeOption.parse($0, now: now, option: "--since") },
            until: try until.map { try TimeOption.parse($0, now: now, option: "--until") },
            partitions: partition.isEmpty ? nil : Set(partition), fromOffset: fromOffset, toOffset: toOffset,
            jobIds: Set(jobId), keyPrefix: keyPrefix, errorKinds: Set(errorKind), all: all)
    }

    private func rewrite() throws -> ReplayRewrite {
        var stageValue: JobStage?
        if let stage {
            guard let parsed = JobStage(rawValue: stage) else {
                throw ValidationError("--stage: expected one of \(JobStage.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            stageValue = parsed
        }
        if let resetRetries, resetRetries < 1 { throw ValidationError("--reset-retries must be at least 1") }
        if maxReplays < 1 { throw ValidationError("--max-replays must be at least 1") }
        return ReplayRewrite(resetRetries: resetRetries, stage: stageValue, resetAge: resetAge, resetSlices: resetSlices, maxReplays: maxReplays)
    }

    private func ratePerSecond() throws -> Double? {
        guard let rate else { return nil }
        let number = rate.hasSuffix("/s") ? String(rate.dropLast(2)) : rate
        guard let parsed = Double(number), parsed > 0 else { throw ValidationError("--rate: expected a positive number, e.g. 200 or 200/s") }
        return parsed
    }

}
