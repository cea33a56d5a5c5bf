import ArgumentParser
import Baton
import Foundation
import Logging

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Draw what happened since a time as one self-contained HTML file.",
        discussion: """
            Reads the jobs, dead-letter and outcomes topics (topics.*) from --since to now, \
            outside any consumer group, and writes one HTML file with everything inline (no \
            external assets): a timeline per job (its slices as bars coloured by stage, the \
            time it queued for its first slice, the \
            gaps where it waited out a back-off, its outcome), throughput over time, the \
            slowest jobs, and the dead letters by kind. Hover a bar for its details; the box \
            above the timeline filters jobs by id or S3 key.

            --since and --until take an ISO 8601 time (2026-11-30T08:00:00Z) or a duration \
            back from now (90m, 24h).

            Examples:
              baton report --since 24h --out report.html
              baton report --since 2026-11-30T08:00:00Z --until 2026-11-30T12:00:00Z \\
                --out morning.html
            """
    )

    @OptionGroup var config: ConfigOptions

    @Option(help: ArgumentHelp("Start of the range: ISO 8601 time, or a duration back from now (24h).", valueName: "T"))
    var since: String

    @Option(help: ArgumentHelp("End of the range (default: now).", valueName: "T"))
    var until: String?

    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "FILE.html"))
    var out: String

    @Option(help: "Kafka bootstrap servers (kafka.bootstrapServers).")
    var bootstrapServers: String?

    /// The report's time range, `--since` to `--until` (default now).
    private func window(now: Date) throws -> (from: Date, to: Date) {
        let from = try TimeOption.parse(since, now: now, option: "--since")
        let to = try until.map { try TimeOption.parse($0, now: now, option: "--until") } ?? now
        guard from < to else { throw ValidationError("--since must be before --until") }
        return (from, to)
    }

    func validate() throws {
        _ = try window(now: Date())
    }

    func run() async throws {
        let (from, to) = try window(now: Date())
        let configuration = try await config.load(flags: ["kafka.bootstrapServers": bootstrapServers])
        let logger = Logger(label: "baton.report")
        let report = try await ReportReader(configuration: configuration, logger: logger).read(since: from, until: to)
        let html = ReportHTML.render(report)
        try html.write(toFile: out, atomically: true, encoding: .utf8)
        print("wrote \(out): \(report.jobs.count) jobs, \(report.outcomes.count) outcomes, \(report.deadLetters.count) dead letters")
    }
}
