import ArgumentParser
import Baton
import BatonDemo
import Foundation

@main
struct BatonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baton",
        abstract: "Moves S3 reports into Birst through time-boxed worker slices on Kafka.",
        discussion: """
            Every command reads config/baton.yaml (or --config FILE), then BATON_… environment \
            variables, then its flags; later wins. `baton <command> --help` explains each command.

            Examples:
              baton topics ensure
              baton check
              baton worker --concurrency 32 --slice-budget 5m
              baton publish s3://reports/daily/2026-11-27.csv
            """,
        version: BatonVersion.current,
        subcommands: [
            WorkerCommand.self, PublishCommand.self, IngestCommand.self, ReplayCommand.self, JobsCommand.self,
            TopicsCommand.self, CheckCommand.self, ConfigCommand.self, MetricsCommand.self, ReportCommand.self,
            BirstSimCommand.self, DemoCommand.self,
        ]
    )

    /// The entry point. A first word that names no command is an error (exit 64) with the
    /// list of commands, also with `--help` (which ArgumentParser would otherwise answer
    /// with the top-level help and exit 0). Then it records an early SIGTERM/SIGINT for
    /// the commands that handle them (see ``EarlySignals``), and parses and runs the command.
    static func main() async {
        if let message = UnknownCommand.message(for: Array(CommandLine.arguments.dropFirst()), commands: configuration.subcommands) {
            FileHandle.standardError.write(Data(message.utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        EarlySignals.recordIfHandled(arguments: CommandLine.arguments)
        await main(nil)
    }
}
