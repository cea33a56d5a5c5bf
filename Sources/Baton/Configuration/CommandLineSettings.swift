/// The settings a command line gives: `--set KEY=VALUE` entries and a command's own flags
/// (`--slice-budget 5m` for `worker.sliceBudget`), each remembered with how it was given so
/// an error about its value names the flag the operator typed.
///
/// A setting given twice with different values is an error naming the key and both
/// values: in `--set worker.retries=5 … --set worker.retries=50` neither "first wins" nor
/// "last wins" is what every operator expects, and a script that builds its arguments
/// from pieces should not decide silently. The same value given twice is accepted.
///
/// An empty or blank value (`--set worker.retries=`) is an error too: the configuration reader
/// treats it as absent, so the run would silently use the default while `config show`
/// credits the flag. (An empty `BATON_…` variable stays "unset", as shells and compose
/// files expect.)
public struct CommandLineSettings: Sendable, Equatable {
    /// Setting key → value, as `ConfigSources.flags` takes them.
    public private(set) var values: [String: String] = [:]
    /// Setting key → how it was given: `--set` or the flag (`--slice-budget`).
    public private(set) var origins: [String: String] = [:]

    /// No settings yet.
    public init() {}

    /// Adds one value given by `origin` (`--set`, or a flag such as `--slice-budget`).
    /// - Throws: `ConfigurationError` when the value is empty or the key already has a
    ///   different value.
    public mutating func add(_ key: String, _ value: String, origin: String) throws {
        guard !value.allSatisfy(\.isWhitespace) else {
            throw ConfigurationError(
                key: key,
                message: "\(Self.show(key, value, origin)) gives an empty value; give one, or leave the setting out to use its default",
                mentionsEnvironment: false
            )
        }
        if let earlier = values[key] {
            guard earlier == value else {
                throw ConfigurationError(
                    key: key,
                    message: "given twice on the command line, \(Self.show(key, earlier, origins[key] ?? "--set")) and \(Self.show(key, value, origin)); give it once",
                    mentionsEnvironment: false
                )
            }
            return
        }
        values[key] = value
        origins[key] = origin
    }

    /// The flag name a command gives a setting: its last component in kebab case
    /// (`worker.sliceBudget` → `--slice-budget`, `ingest.listen` → `--listen`), the rule
    /// every command's own flags follow.
    public static func flagName(of key: String) -> String {
        let last = key.split(separator: ".").last.map(String.init) ?? key
        var name = "--"
        for character in last {
            if character.isUppercase {
                name += "-" + character.lowercased()
            } else {
                name.append(character)
            }
        }
        return name
    }

    private static func show(_ key: String, _ value: String, _ origin: String) -> String {
        origin == "--set" ? "--set \(key)=\(value)" : "\(origin) \(value.isEmpty ? "\"\"" : value)"
    }
}
