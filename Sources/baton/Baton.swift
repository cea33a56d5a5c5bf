import ArgumentParser

@main
struct BatonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baton",
        abstract: "Moves S3 reports into Birst through time-boxed worker slices on Kafka.",
        discussion: """
            Every command reads config/baton.yaml (or --config FILE), then BATON_… environment \
            variables, then its flags; later wins. `baton <command> --help` explains each command.
            """,
        subcommands: [
            WorkerCommand.self, PublishCommand.self, IngestCommand.self, TopicsCommand.self, BirstSimCommand.self, DemoCommand.self,
            MetricsCommand.self, ReportCommand.self,
        ]
    )
}
