import Configuration
import Foundation
import SystemPackage

/// Where settings come from, later wins: the YAML file, then `BATON_…` environment
/// variables, then command-line flags.
public struct ConfigSources: Sendable {
    /// The file `--config` names; nil means `config/baton.yaml` if it exists.
    public var file: String?
    /// Flag values keyed by setting (`worker.concurrency` → "32").
    public var flags: [String: String]
    /// How the command line gave each of `flags` (`--set`, `--slice-budget`); a flag
    /// missing here is named "a flag" in errors.
    public var flagOrigins: [String: String] = [:]
    public var environment: [String: String]
    /// False for built-in defaults plus environment and flags only.
    public var usesDefaultFile: Bool

    public static let defaultFile = "config/baton.yaml"

    public init(file: String? = nil, flags: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment, usesDefaultFile: Bool = true) {
        self.file = file
        self.usesDefaultFile = usesDefaultFile
        self.flags = flags
        self.environment = environment
    }

    /// The sources of a command: `--config FILE`, the process's environment and what its
    /// command line set.
    public init(file: String?, commandLine: CommandLineSettings) {
        self.init(file: file, flags: commandLine.values)
        flagOrigins = commandLine.origins
    }

    /// The command-line source of `key`'s value, when the command line gave it.
    public func commandLineSource(of key: String) -> String? {
        flags[key] == nil ? nil : flagOrigins[key] ?? "a flag"
    }

    /// The resolved path of the configuration file, or nil when none is used.
    public var filePath: String? {
        if let file { return file }
        guard usesDefaultFile else { return nil }
        if let fromEnvironment = environment["BATON_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        return FileManager.default.fileExists(atPath: Self.defaultFile) ? Self.defaultFile : nil
    }

    public func settingsReader() async throws -> SettingsReader {
        try await settingsReader(reporter: nil)
    }

    func settingsReader(reporter: (any AccessReporter)?) async throws -> SettingsReader {
        var providers: [any ConfigProvider] = []
        if !flags.isEmpty {
            let values = Dictionary(uniqueKeysWithValues: flags.map { key, value in
                (AbsoluteConfigKey(ConfigKey(key)), ConfigValue(.string(value), isSecret: false))
            })
            providers.append(InMemoryProvider(name: "flags", values: values))
        }
        providers.append(EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "baton"))
        if let path = filePath {
            guard FileManager.default.fileExists(atPath: path) else {
                throw ConfigurationError(key: "config", message: "configuration file \(path) does not exist")
            }
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(path)))
            } catch {
                let syntax = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(YAMLSyntax.check)
                throw ConfigurationError(key: "config", message: "cannot parse \(path): \(syntax ?? "\(error)")", mentionsEnvironment: false)
            }
        }
        return SettingsReader(reader: ConfigReader(providers: providers, accessReporter: reporter), environment: environment)
    }

    /// The directory relative paths in the file (routes, templates) are resolved against.
    public var baseDirectory: String {
        guard let path = filePath else { return FileManager.default.currentDirectoryPath }
        return (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
    }
}
