/// A setting that is missing or malformed. The message names the setting, the
/// environment variable that can provide it, and what was wrong.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var key: String
    public var message: String
    /// False when the key is not a setting (a misspelt one), so no variable provides it.
    public var mentionsEnvironment: Bool

    public init(key: String, message: String, mentionsEnvironment: Bool = true) {
        self.key = key
        self.message = message
        self.mentionsEnvironment = mentionsEnvironment
    }

    public var description: String {
        mentionsEnvironment
            ? "configuration: \(key) (\(SettingsReader.environmentName(of: key))): \(message)"
            : "configuration: \(key): \(message)"
    }
}
