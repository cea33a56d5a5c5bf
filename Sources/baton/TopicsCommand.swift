import ArgumentParser
import Baton
import Logging

struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Create or list Baton's Kafka topics.",
        discussion: """
            Examples:
              baton topics ensure
              baton topics list --bootstrap-servers broker-1:9092
            """,
        subcommands: [Ensure.self, List.self]
    )

    struct Ensure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the jobs, dead-letter and outcomes topics if they do not exist.",
            discussion: """
                Names, partition counts and the replication factor come from the configuration \
                (topics.*). Topics that exist are left as they are (their partition count is \
                reported, not changed). Safe to run on every deploy.

                Examples:
                  baton topics ensure
                  baton topics ensure --set topics.prefix=staging. --timeout 1m
                """
        )

        @OptionGroup var config: ConfigOptions

        @Option(help: "Kafka bootstrap servers (kafka.bootstrapServers).")
        var bootstrapServers: String?

        @Option(help: ArgumentHelp("How long to wait for the cluster.", valueName: "DURATION"))
        var timeout: String = "30s"

        func run() async throws {
            let configuration = try await config.load(flags: ["kafka.bootstrapServers": bootstrapServers])
            guard let timeout = ConfigDuration.parse(timeout) else { throw ValidationError("--timeout: \(ConfigDuration.problem(timeout))") }
            let clients = KafkaClients(configuration: configuration, logger: Logger(label: "baton.topics"))
            for topic in try await clients.ensureTopics(timeout: timeout) {
                let partitions = topic.partitionCount.map { " (\($0) partitions)" } ?? ""
                print("\(topic.created ? "created" : "exists ") \(topic.name)\(partitions)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the cluster's topics with their partition counts.",
            discussion: """
                Examples:
                  baton topics list
                  baton topics list --bootstrap-servers broker-1:9092 | grep baton
                """
        )

        @OptionGroup var config: ConfigOptions

        @Option(help: "Kafka bootstrap servers (kafka.bootstrapServers).")
        var bootstrapServers: String?

        func run() async throws {
            let configuration = try await config.load(flags: ["kafka.bootstrapServers": bootstrapServers])
            let clients = KafkaClients(configuration: configuration, logger: Logger(label: "baton.topics"))
            for topic in try await clients.listTopics(timeout: .seconds(30)).sorted(by: { $0.name < $1.name }) {
                print("\(topic.name)\t\(topic.partitionCount ?? 0)")
            }
        }
    }
}
