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
            end of every partition, without a consumer group (nothing is committed), and ask \
            the workers' group (kafka.groupId) what it has committed on the jobs topic. No \
            offset look-up by time or watermark is involved, so the answers are exact on any \
            Kafka-compatible broker.

            A job is finished once an outcome names its newest envelope (or a later message), \
            or the workers' group has committed past that envelope: a worker commits a \
            message only after what its slice produced was acknowledged, so a committed \
            envelope with nothing newer ended the job. That second rule ends a job whose \
            e-mail or webhook was retried (the outcome is recorded first; the retry writes \
            nothing when it succeeds or is given up after notify.maxAttempts).

            Examples:
              baton jobs
              baton jobs list --stage awaitPublish --older-than 1h
              baton jobs list --json | jq -r .jobId
              baton jobs show 3f6c0d5e8a1b4c2d9e7f6a5b4c3d2e1f
              baton jobs show 3f6c0d5e8a1b4c2d9e7f6a5b4c3d2e1f --json
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
            abstract: "Jobs in flight: each job's newest envelope, unless an outcome covers it or the workers committed past it.",
            discussion: """
                Columns: job id, report, stage, state (in progress, or notifications pending: \
                the outcome is recorded and a failed e-mail or webhook waits for its retry), \
                slices used, retries left, age (since the job was created), the worker that \
                handed it on last, and its next notBefore. Oldest first. --json prints one JSON \
                object per job (state, outcomeStatus, ageSeconds, createdAt, notBefore, \
                partition, offset, …). When the workers' group has committed nothing where a \
                notify retry lies (it never ran, or kafka.groupId names another group), a note \
                on standard error says the retry may have ended already.

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
            let reader = try await options.reader()
            let commits = try await reader.commits()
            let jobs = try await reader.inFlight(now: now, commits: commits).filter { job in
                (stages.isEmpty || stages.contains(job.stage))
                    && older.map { job.ageSeconds > $0.seconds } ?? true
                    && newer.map { job.ageSeconds < $0.seconds } ?? true
            }
            if let caveat = commits.caveat(forPartitions: Set(jobs.filter { $0.state == .notificationsPending }.map(\.partition))) {
                FileHandle.standardError.write(Data((caveat + "\n").utf8))
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
                ("JOB ID", .left), ("REPORT", .left), ("STAGE", .left), ("STATE", .left), ("SLICES", .right), ("RETRIES", .right),
                ("AGE", .right), ("LAST WORKER", .left), ("NOT BEFORE", .left),
            ])
            for job in jobs {
                table.rows.append([
                    job.jobId, job.report, job.stage.rawValue, Self.state(job), String(job.slices), String(job.retriesLeft),
                    ReplayProgressPrinter.duration(job.ageSeconds), job.lastWorker ?? "-",
                    job.notBefore.map { $0 > now ? Timestamp.format($0) : "now" } ?? "-",
                ])
            }
            for line in table.lines() { print(line) }
            print("\(jobs.count) job\(jobs.count == 1 ? "" : "s") in flight")
        }

        /// "in progress", or "notifications pending (outcome completed)".
        static func state(_ job: InFlightJob) -> String {
            job.outcomeStatus.map { "\(job.state.text) (outcome \($0))" } ?? job.state.text
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
                the hand-off reason or error kind, and the worker. The first line says where \
                the job stands: in progress, notifications pending (outcome recorded, a failed \
                e-mail or webhook waiting for its retry) or finished, decided as for \
                `baton jobs list`. --json prints one JSON object: {"jobId": …, "inFlight": \
                true|false, "state": "in-progress"|"notifications-pending"|"finished", \
                "history": […]}.

                Examples:
                  baton jobs show 3f6c0d5e8a1b4c2d9e7f6a5b4c3d2e1f
                  baton jobs show 3f6c0d5e8a1b4c2d9e7f6a5b4c3d2e1f --json \\
                    | jq '.history[] | select(.kind == "dead-letter")'
                """
        )

        @OptionGroup var options: Options

        @Argument(help: ArgumentHelp("The job id (the record key).", valueName: "JOB_ID"))
        var jobId: String

        func run() async throws {
            let reader = try await options.reader()
            let commits = try await reader.commits()
            let history = try await reader.history(of: jobId)
            let state = reader.state(of: history, commits: commits)
            if state == .notificationsPending, let partition = history.last(where: { $0.kind != .outcome && $0.kind != .deadLetter })?.partition,
                let caveat = commits.caveat(forPartitions: [partition])
            {
                FileHandle.standardError.write(Data((caveat + "\n").utf8))
            }
            if options.json {
                print(OperatorJSON.line(JobHistoryView(jobId: jobId, inFlight: state.isInFlight, state: state, history: history)))
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
            print("job \(jobId): \(history.count) record\(history.count == 1 ? "" : "s"), \(state.text)")
            for line in table.lines() { print(line) }
            for entry in history where entry.message != nil {
                print("  \(entry.topic)/\(entry.partition)@\(entry.offset): \(entry.message!)")
            }
        }
    }
}
