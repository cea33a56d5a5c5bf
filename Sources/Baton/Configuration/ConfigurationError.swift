/// A setting that is missing or malformed. The message names the setting, the
/// environment variable that can provide it, and what was wrong.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "configuration: \(key) (\(SettingsReader.environmentName(of: key))): \(message)" }
}
