/// A setting that is missing or malformed. The message names the setting, where its value
/// came from (the command-line flag that gave it, else the environment variable that can
/// provide it), and what was wrong.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var key: String
    public var message: String
    /// False when the key is not a setting (a misspelt one), so no variable provides it.
    public var mentionsEnvironment: Bool
    /// How the command line gave the value (`--slice-budget`, `--set`), when it came from
    /// there: then the error names that and not the environment variable, which the
    /// operator did not set.
    public var commandLineSource: String?

    public init(key: String, message: String, mentionsEnvironment: Bool = true, commandLineSource: String? = nil) {
        self.key = key
        self.message = message
        self.mentionsEnvironment = mentionsEnvironment
        self.commandLineSource = commandLineSource
    }

    public var description: String {
        if let commandLineSource { return "configuration: \(key) (\(commandLineSource)): \(message)" }
        return mentionsEnvironment
            ? "configuration: \(key) (\(SettingsReader.environmentName(of: key))): \(message)"
            : "configuration: \(key): \(message)"
    }
}
