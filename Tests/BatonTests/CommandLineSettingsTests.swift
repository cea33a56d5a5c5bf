import Baton
import Testing

@Suite("Command line settings: each value named by the flag that gave it, none given twice")
struct CommandLineSettingsTests {
    func load(_ commandLine: CommandLineSettings, environment: [String: String] = [:]) async throws -> BatonConfiguration {
        var sources = ConfigSources(file: nil, flags: commandLine.values, environment: environment, usesDefaultFile: false)
        sources.flagOrigins = commandLine.origins
        return try await BatonConfiguration.load(sources)
    }

    @Test("a malformed --slice-budget names the flag, not BATON_WORKER_SLICE_BUDGET")
    func flagIsTheSource() async throws {
        var commandLine = CommandLineSettings()
        try commandLine.add("worker.sliceBudget", "300000", origin: CommandLineSettings.flagName(of: "worker.sliceBudget"))
        let error = await #expect(throws: ConfigurationError.self) { try await load(commandLine) }
        #expect(error?.key == "worker.sliceBudget")
        #expect(error?.description.contains("(--slice-budget)") == true, "\(String(describing: error))")
        #expect(error?.description.contains("BATON_WORKER_SLICE_BUDGET") == false, "\(String(describing: error))")
    }

    @Test("a --slice-budget shorter than the default safety margin: the error says how to change either, and blames no variable")
    func budgetBelowMargin() async throws {
        var commandLine = CommandLineSettings()
        try commandLine.add("worker.sliceBudget", "2s", origin: CommandLineSettings.flagName(of: "worker.sliceBudget"))
        let error = await #expect(throws: ConfigurationError.self) { try await load(commandLine) }
        let text = String(describing: error)
        #expect(text.contains("configuration: worker.safetyMargin: 15s must be shorter than worker.sliceBudget (2s)"), "\(text)")
        #expect(text.contains("--set worker.safetyMargin="), "\(text)")
        #expect(!text.contains("worker.safetyMargin (BATON_WORKER_SAFETY_MARGIN)"), "\(text)")
    }

    @Test("a malformed --set value names --set; one from the environment still names its variable")
    func setAndEnvironmentSources() async throws {
        var commandLine = CommandLineSettings()
        try commandLine.add("worker.retries", "many", origin: "--set")
        let fromSet = await #expect(throws: ConfigurationError.self) { try await load(commandLine) }
        #expect(fromSet?.description.contains("worker.retries (--set)") == true, "\(String(describing: fromSet))")

        let fromEnvironment = await #expect(throws: ConfigurationError.self) {
            try await load(CommandLineSettings(), environment: ["BATON_WORKER_RETRIES": "many"])
        }
        #expect(fromEnvironment?.description.contains("BATON_WORKER_RETRIES") == true, "\(String(describing: fromEnvironment))")
    }

    @Test("a setting given twice with different values is an error naming the key and both values")
    func givenTwice() throws {
        var commandLine = CommandLineSettings()
        try commandLine.add("worker.retries", "5", origin: "--set")
        let error = #expect(throws: ConfigurationError.self) { try commandLine.add("worker.retries", "50", origin: "--set") }
        #expect(error?.key == "worker.retries")
        #expect(error?.description.contains("--set worker.retries=5 and --set worker.retries=50") == true, "\(String(describing: error))")

        try commandLine.add("worker.sliceBudget", "1m", origin: "--set")
        let mixed = #expect(throws: ConfigurationError.self) { try commandLine.add("worker.sliceBudget", "2m", origin: "--slice-budget") }
        #expect(mixed?.description.contains("--set worker.sliceBudget=1m and --slice-budget 2m") == true, "\(String(describing: mixed))")
        #expect(commandLine.values == ["worker.retries": "5", "worker.sliceBudget": "1m"], "the first values stay")
    }

    @Test("an empty value is an error naming how it was given, not a silent default")
    func emptyValue() throws {
        var commandLine = CommandLineSettings()
        let fromSet = #expect(throws: ConfigurationError.self) { try commandLine.add("worker.retries", "", origin: "--set") }
        #expect(fromSet?.key == "worker.retries")
        #expect(fromSet?.description.contains("--set worker.retries= gives an empty value") == true, "\(String(describing: fromSet))")
        let fromFlag = #expect(throws: ConfigurationError.self) { try commandLine.add("worker.sliceBudget", "", origin: "--slice-budget") }
        #expect(fromFlag?.description.contains("--slice-budget \"\" gives an empty value") == true, "\(String(describing: fromFlag))")
        let blank = #expect(throws: ConfigurationError.self) { try commandLine.add("birst.username", " ", origin: "--set") }
        #expect(blank?.key == "birst.username")
        #expect(commandLine.values.isEmpty)
    }

    @Test("the same value given twice is accepted")
    func sameValueTwice() throws {
        var commandLine = CommandLineSettings()
        try commandLine.add("worker.retries", "5", origin: "--set")
        try commandLine.add("worker.retries", "5", origin: "--set")
        #expect(commandLine.values == ["worker.retries": "5"])
    }

    @Test("a command's flag is its setting's last component in kebab case")
    func flagNames() {
        #expect(CommandLineSettings.flagName(of: "worker.sliceBudget") == "--slice-budget")
        #expect(CommandLineSettings.flagName(of: "kafka.bootstrapServers") == "--bootstrap-servers")
        #expect(CommandLineSettings.flagName(of: "ingest.listen") == "--listen")
    }
}
