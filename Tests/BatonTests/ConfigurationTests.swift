import Baton
import Foundation
import Testing

@Suite("Configuration: file, then environment, then flags")
struct ConfigurationTests {
    let file: String

    init() throws {
        file = NSTemporaryDirectory() + "baton-config-\(UUID().uuidString).yaml"
        try """
        kafka:
          bootstrapServers: file-broker:9092
          properties:
            - "linger.ms=7"
        worker:
          concurrency: 8
          sliceBudget: 2m
        birst:
          username: report-bot
        """.write(toFile: file, atomically: true, encoding: .utf8)
    }

    func load(environment: [String: String] = [:], flags: [String: String] = [:]) async throws -> BatonConfiguration {
        try await BatonConfiguration.load(ConfigSources(file: file, flags: flags, environment: environment))
    }

    @Test("the file's values apply when nothing overrides them")
    func fileValues() async throws {
        let configuration = try await load()
        #expect(configuration.kafka.bootstrapServers == "file-broker:9092")
        #expect(configuration.worker.concurrency == 8)
        #expect(configuration.worker.sliceBudget == .seconds(120))
        #expect(configuration.kafka.properties["linger.ms"] == "7")
        #expect(configuration.worker.shutdownGrace == .seconds(10), "unset settings keep their defaults")
    }

    @Test("an environment variable overrides the file, a flag overrides both")
    func precedence() async throws {
        let environment = ["BATON_KAFKA_BOOTSTRAP_SERVERS": "env-broker:9092", "BATON_WORKER_CONCURRENCY": "16"]
        let fromEnvironment = try await load(environment: environment)
        #expect(fromEnvironment.kafka.bootstrapServers == "env-broker:9092")
        #expect(fromEnvironment.worker.concurrency == 16)

        let fromFlags = try await load(environment: environment, flags: ["worker.concurrency": "32"])
        #expect(fromFlags.worker.concurrency == 32)
        #expect(fromFlags.kafka.bootstrapServers == "env-broker:9092")
    }

    @Test("a missing required secret is an error that names the setting and where to put it")
    func missingSecret() async throws {
        let configuration = try await load()
        let error = #expect(throws: ConfigurationError.self) { try configuration.birst.credentials() }
        #expect(error?.key == "birst.password")
        #expect(error?.description.contains("BATON_BIRST_PASSWORD") == true)
    }

    @Test("a secret comes from the environment or a secret file, never from the YAML")
    func secretSources() async throws {
        let fromEnvironment = try await load(environment: ["BATON_BIRST_PASSWORD": "hunter2"])
        #expect(try fromEnvironment.birst.credentials().password == "hunter2")

        let secretFile = NSTemporaryDirectory() + "baton-secret-\(UUID().uuidString)"
        try "from-file\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        let fromFile = try await load(environment: ["BATON_BIRST_PASSWORD_FILE": secretFile])
        #expect(try fromFile.birst.credentials().password == "from-file")

        try "birst:\n  password: in-the-yaml\n".write(toFile: file, atomically: true, encoding: .utf8)
        let error = await #expect(throws: ConfigurationError.self) { try await load() }
        #expect(error?.key == "birst.password")
    }

    @Test("a malformed value names the setting instead of falling back to a default")
    func malformedValue() async throws {
        let error = await #expect(throws: ConfigurationError.self) {
            try await load(environment: ["BATON_WORKER_SLICE_BUDGET": "five minutes"])
        }
        #expect(error?.key == "worker.sliceBudget")
        #expect(error?.description.contains("BATON_WORKER_SLICE_BUDGET") == true)
    }

    @Test("worker.concurrency goes up to the measured limit, 20,000, and no further")
    func concurrencyLimit() async throws {
        #expect(WorkerSettings.maximumConcurrency == 20_000)
        #expect(try await load(flags: ["worker.concurrency": "20000"]).worker.concurrency == 20_000)
        let error = await #expect(throws: ConfigurationError.self) { try await load(flags: ["worker.concurrency": "20001"]) }
        #expect(error?.key == "worker.concurrency")
    }

    @Test("the shipped config/baton.yaml parses and documents exactly the built-in defaults")
    func shippedFileMatchesDefaults() async throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try await BatonConfiguration.load(
            ConfigSources(file: repository.appendingPathComponent("config/baton.yaml").path, environment: [:])
        )
        var defaults = try await BatonConfiguration.load(ConfigSources(environment: [:], usesDefaultFile: false))
        defaults.baseDirectory = shipped.baseDirectory
        #expect(shipped == defaults)
    }

    @Test("a misspelt setting in the file is an error that suggests the right one")
    func misspeltSetting() async throws {
        try "worker:\n  sliceBudgett: 2m\n".write(toFile: file, atomically: true, encoding: .utf8)
        let error = await #expect(throws: ConfigurationError.self) { try await load() }
        #expect(error?.message.contains("worker.sliceBudgett (did you mean worker.sliceBudget?)") == true, "\(String(describing: error))")
    }

    @Test("BATON_ variables that match no setting are reported")
    func unknownEnvironment() async throws {
        let configuration = try await load(environment: [
            "BATON_WORKER_CONCURENCY": "3", "BATON_WORKER_CONCURRENCY": "4", "BATON_STACK_KAFKA_BROKER": "x",
            "BATON_BIRST_PASSWORD": "secret", "BATON_S3_SECRET_ACCESS_KEY": "secret",
        ])
        #expect(configuration.unknownEnvironment == ["BATON_WORKER_CONCURENCY"])
        #expect(configuration.worker.concurrency == 4)
    }

    @Test("durations in the forms operators write", arguments: [
        ("500ms", Duration.milliseconds(500)), ("15s", .seconds(15)), ("5m", .seconds(300)),
        ("1h", .seconds(3600)), ("1m30s", .seconds(90)), ("0", .zero),
    ])
    func durations(text: String, expected: Duration) {
        #expect(ConfigDuration.parse(text) == expected)
        #expect(ConfigDuration.parse(ConfigDuration.format(expected)) == expected)
    }

    @Test("environment names follow swift-configuration's rule")
    func environmentNames() {
        #expect(SettingsReader.environmentName(of: "kafka.bootstrapServers") == "BATON_KAFKA_BOOTSTRAP_SERVERS")
        #expect(SettingsReader.environmentName(of: "topics.deadLetters.name") == "BATON_TOPICS_DEAD_LETTERS_NAME")
    }
}
