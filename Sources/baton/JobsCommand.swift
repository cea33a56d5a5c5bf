import ArgumentParser
import Baton
import Foundation
import Logging

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "What is in flight now, and one job's whole history, read from the topics.",
        discussion: """
            The topics are the only state: these commands read them from the beginning to the \
            end of every partition, without a consumer group (nothing is committed). No offset \
            look-up is involved, so the answers are exact on any Kafka-compatible broker.

            Examples:
              baton jobs
              baton jobs list --stage awaitPublish --older-than 1h
              baton jobs list --json | jq -r .jobId
              baton jobs show 3f6c0d…e1
              baton jobs show 3f6c0d…e1 --json
            """,
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct Options: ParsableArguments {
        @OptionGroup var config: ConfigOptions

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        @Option(help: ArgumentHelp("How long reading one topic may take.", valueName: "DURATION"))
        var timeout: String = "5m"

        func reader() async throws -> JobsReader {
            let configuration = try await config.load()
            guard let timeout = ConfigDuration.parse(timeout) else { throw ValidationError("--timeout: expected a duration like 5m") }
            return JobsReader(kafka: configuration.kafka, topics: configuration.topics, logger: Logger(label: "baton.jobs"), timeout: timeout)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Jobs in flight: the newest envelope per job id on the jobs topic with no outcome after it.",
            discussion: """
                Columns: job id, report, stage, slices used, retries left, age (since the job \
                was created), the worker that handed it on last, and its next notBefore. Oldest \
                first. --json prints one JSON object per job (ageSeconds, createdAt, notBefore, \
                partition, offset, …).

                Examples:
                  baton jobs list
                  baton jobs list --stage upload --stage awaitUpload --newer-than 10m
                  baton jobs list --older-than 6h --json
                """
        )

        @OptionGroup var options: Options

        @Option(help: ArgumentHelp("Only jobs in this stage (repeatable).", valueName: "STAGE"))
        var stage: [String] = []

        @Option(help: ArgumentHelp("Only jobs created longer ago than this (e.g. 1h).", valueName: "DURATION"))
        var olderThan: String?

        @Option(help: ArgumentHelp("Only jobs created more recently than this (e.g. 10m).", valueName: "DURATION"))
        var newerThan: String?

        func run() async throws {
            let stages = try Set(stage.map { name in
                guard let stage = JobStage(rawValue: name) else {
                    throw ValidationError("--stage: expected one of \(JobStage.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return stage
            })
            let older = try olderThan.map { try Self.duration($0, "--older-than") }
            let newer = try newerThan.map { try Self.duration($0, "--newer-than") }
            let now = Date()
            let jobs = try await options.reader().inFlight(now: now).filter { job in
                (stages.isEmpty || stages.contains(job.stage))
                    && older.map { job.ageSeconds > $0.seconds } ?? true
                    && newer.map { job.ageSeconds < $0.seconds } ?? true
            }
            if options.json {
                for job in jobs { print(OperatorJSON.line(job)) }
                return
            }
            if jobs.isEmpty {
                print("no jobs in flight")
                return
            }
            var table = TextTable([
                ("JOB ID", .left), ("REPORT", .left), ("STAGE", .left), ("SLICES", .right), ("RETRIES", .right),
                ("AGE", .right), ("LAST WORKER", .left), ("NOT BEFORE", .left),
            ])
            for job in jobs {
                table.rows.append([
                    job.jobId, job.report, job.stage.rawValue, String(job.slices), String(job.retriesLeft),
                    ReplayProgressPrinter.duration(job.ageSeconds), job.lastWorker ?? "-",
                    job.notBefore.map { $0 > now ? Timestamp.format($0) : "now" } ?? "-",
                ])
            }
            for line in table.lines() { print(line) }
            print("\(jobs.count) job\(jobs.count == 1 ? "" : "s") in flight")
        }

        static func duration(_ text: String, _ option: String) throws -> Duration {
            guard let duration = ConfigDuration.parse(text) else { throw ValidationError("\(option): expected a duration like 1h") }
            return duration
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One job's whole history: every message, continuation, replay, dead letter and outcome.",
            discussion: """
                One line per record about the job on the jobs, dead-letter and outcomes topics, \
                in time order, with topic/partition@offset, the record's timestamp, what it is \
                (new, continuation, replay, dead-letter, outcome), stage, slices, retries left, \
                the hand-off reason or error kind, and the worker. --json prints one JSON \
                object: {"jobId": …, "inFlight": true|false, "history": […]}.

                Examples:
                  baton jobs show 3f6c0d…e1
                  baton jobs show 3f6c0d…e1 --json | jq '.history[] | select(.kind == "dead-letter")'
                """
        )

        @OptionGroup var options: Options

        @Argument(help: ArgumentHelp("The job id (the record key).", valueName: "JOB_ID"))
        var jobId: String

        func run() async throws {
            let history = try await options.reader().history(of: jobId)
            let inFlight = JobHistoryView.inFlight(history)
            if options.json {
                print(OperatorJSON.line(JobHistoryView(jobId: jobId, inFlight: inFlight, history: history)))
                return
            }
            guard !history.isEmpty else {
                print("no records about job \(jobId)")
                throw ExitCode(2)
            }
            var table = TextTable([
                ("TIME", .left), ("RECORD", .left), ("KIND", .left), ("STAGE", .left), ("SLICES", .right),
                ("RETRIES", .right), ("WHY", .left), ("WORKER", .left),
            ])
            for entry in history {
                let why = [entry.status, entry.errorKind, entry.handoff, entry.replayedFrom.map { "from \($0)" }]
                    .compactMap { $0 }.joined(separator: " ")
                table.rows.append([
                    entry.timestamp.map(Timestamp.format) ?? "-", "\(entry.topic)/\(entry.partition)@\(entry.offset)",
                    entry.kind.rawValue + (entry.unreadable == true ? " (unreadable)" : ""), entry.stage?.rawValue ?? "-",
                    entry.slices.map(String.init) ?? "-", entry.retriesLeft.map(String.init) ?? "-",
                    why.isEmpty ? "-" : why, entry.worker ?? "-",
                ])
            }
            print("job \(jobId): \(history.count) record\(history.count == 1 ? "" : "s"), \(inFlight ? "in flight" : "finished")")
            for line in table.lines() { print(line) }
            for entry in history where entry.message != nil {
                print("  \(entry.topic)/\(entry.partition)@\(entry.offset): \(entry.message!)")
            }
        }
    }
}
