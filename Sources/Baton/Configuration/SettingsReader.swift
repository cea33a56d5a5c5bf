import Configuration
import Foundation

/// Reads typed settings from swift-configuration's layered providers (flags, then
/// `BATON_…` environment, then the YAML file) and turns every malformed value into a
/// `ConfigurationError` that names the setting, instead of silently using a default.
public struct SettingsReader: Sendable {
    public let reader: ConfigReader
    /// Environment used for secrets (`BATON_…` variables); injectable for tests.
    let environment: [String: String]

    public init(reader: ConfigReader, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.reader = reader
        self.environment = environment
    }

    /// `kafka.bootstrapServers` → `BATON_KAFKA_BOOTSTRAP_SERVERS`, the same rule as
    /// swift-configuration's environment provider.
    public static func environmentName(of key: String) -> String {
        var name = "BATON"
        for component in key.split(separator: ".") {
            var part = ""
            var previous: Character?
            for character in component {
                if let previous, previous.isLowercase || previous.isNumber, character.isUppercase { part.append("_") }
                part.append(character.isLetter || character.isNumber ? Character(character.uppercased()) : "_")
                previous = character
            }
            name += "_" + part
        }
        return name
    }

    public func string(_ key: String) -> String? {
        guard let value = reader.string(forKey: ConfigKey(key)) else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    public func string(_ key: String, default defaultValue: String) -> String {
        string(key) ?? defaultValue
    }

    public func requiredString(_ key: String) throws -> String {
        guard let value = string(key) else { throw ConfigurationError(key: key, message: "required but not set") }
        return value
    }

    public func int(_ key: String, default defaultValue: Int, range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let text = string(key) else { return defaultValue }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(value) else {
            throw ConfigurationError(key: key, message: "expected an integer in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    public func double(_ key: String, default defaultValue: Double, range: ClosedRange<Double>) throws -> Double {
        guard let text = string(key) else { return defaultValue }
        guard let value = Double(text), range.contains(value) else {
            throw ConfigurationError(key: key, message: "expected a number in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    public func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let text = string(key)?.lowercased() else { return defaultValue }
        switch text {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigurationError(key: key, message: "expected true or false, got \"\(text)\"")
        }
    }

    public func duration(_ key: String, default defaultValue: Duration, minimum: Duration = .zero) throws -> Duration {
        guard let text = string(key) else { return defaultValue }
        guard let value = ConfigDuration.parse(text) else {
            throw ConfigurationError(key: key, message: ConfigDuration.problem(text))
        }
        guard value >= minimum else {
            throw ConfigurationError(
                key: key,
                message: "expected a duration of at least \(ConfigDuration.format(minimum)) like 500ms, 15s, 5m or 1h, got \"\(text)\""
            )
        }
        return value
    }

    /// Byte sizes: `1048576`, `64KiB`, `1MiB`, `10MB`.
    public func byteCount(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = string(key) else { return defaultValue }
        let units: [(String, Int)] = [("KiB", 1024), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1)]
        var value: Int?
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            value = Int(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)).map { $0 * scale }
            break
        }
        guard let bytes = value ?? Int(text), range.contains(bytes) else {
            throw ConfigurationError(key: key, message: "expected a byte size in \(range.lowerBound)...\(range.upperBound) like 65536, 64KiB or 1MiB, got \"\(text)\"")
        }
        return bytes
    }

    public func stringArray(_ key: String) -> [String] {
        let values = reader.stringArray(forKey: ConfigKey(key)) ?? string(key).map { [$0] } ?? []
        return values.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A secret comes only from the environment (`BATON_…`) or from a file named by
    /// `<key>File` (a mounted Kubernetes/Docker secret); never from the YAML itself, so a
    /// committed config file cannot leak one. Returns nil when neither is set.
    public func secret(_ key: String) throws -> String? {
        let variable = Self.environmentName(of: key)
        // Asked through the reader too, so the key counts as known (and a value that
        // came from the file or a flag is caught below).
        let fromProviders = reader.string(forKey: ConfigKey(key), isSecret: true)
        let fileSetting = string(key + "File")
        if let value = environment[variable], !value.isEmpty { return value }
        if let path = fileSetting {
            do {
                let contents = try String(contentsOfFile: path, encoding: .utf8)
                let value = contents.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !value.isEmpty else { throw ConfigurationError(key: key + "File", message: "secret file \(path) is empty") }
                return value
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError(key: key + "File", message: "cannot read secret file \(path): \(error.localizedDescription)")
            }
        }
        if fromProviders != nil {
            throw ConfigurationError(
                key: key,
                message: "secrets are not read from configuration files or flags; set \(variable) or \(key)File"
            )
        }
        return nil
    }

    public func requiredSecret(_ key: String, purpose: String) throws -> String {
        guard let value = try secret(key) else {
            throw ConfigurationError(
                key: key,
                message: "required secret for \(purpose) is not set; set \(Self.environmentName(of: key)) or \(key)File"
            )
        }
        return value
    }
}
