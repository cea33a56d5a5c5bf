import ArgumentParser

@main
struct BatonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baton",
        abstract: "Moves S3 reports into Birst through time-boxed worker slices on Kafka.",
        subcommands: [BirstSimCommand.self]
    )
}
