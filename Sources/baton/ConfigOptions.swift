import ArgumentParser
import Baton
import Logging

/// The options every command shares: which file, and ad-hoc overrides of any setting.
struct ConfigOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "Configuration file (YAML).",
            discussion: "Default: $BATON_CONFIG, else config/baton.yaml if present. Environment variables (BATON_…) override the file; flags override both.",
            valueName: "FILE"
        )
    )
    var file: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override any setting for this run, e.g. --set worker.concurrency=32 (repeatable).", valueName: "KEY=VALUE")
    )
    var overrides: [String] = []

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (logs are JSON lines on stderr).")
    var logLevel: String?

    /// Loads the configuration with these options and a command's own flags (setting key
    /// → value) layered on top, and starts logging at the configured level.
    func load(flags: [String: String?] = [:]) async throws -> BatonConfiguration {
        try await load(sources(flags: flags))
    }

    /// Where the settings come from: the file, the environment, `--set` and the flags.
    /// A setting given twice with different values (two `--set`, or `--set` and its flag)
    /// is an error naming it.
    func sources(flags: [String: String?] = [:]) throws -> ConfigSources {
        var commandLine = CommandLineSettings()
        for entry in overrides {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("--set expects KEY=VALUE, got \"\(entry)\"")
            }
            try commandLine.add(String(entry[..<equals]), String(entry[entry.index(after: equals)...]), origin: "--set")
        }
        for case let (key, value?) in flags.sorted(by: { $0.key < $1.key }) {
            try commandLine.add(key, value, origin: CommandLineSettings.flagName(of: key))
        }
        if let logLevel { try commandLine.add("log.level", logLevel, origin: "--log-level") }
        return ConfigSources(file: file, commandLine: commandLine)
    }

    /// Loads the configuration from `sources` and starts logging at its level.
    func load(_ sources: ConfigSources) async throws -> BatonConfiguration {
        let configuration = try await BatonConfiguration.load(sources)
        LogBootstrap.bootstrap(level: configuration.logLevel)
        if !configuration.unknownEnvironment.isEmpty {
            Logger(label: "baton.config").warning(
                "environment variables that match no setting (misspelt?)",
                metadata: ["variables": "\(configuration.unknownEnvironment.joined(separator: ", "))"]
            )
        }
        return configuration
    }
}
