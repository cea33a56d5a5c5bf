import Configuration
import Foundation
import Synchronization
import Yams

/// Catches misspelt settings: swift-configuration answers only the keys it is asked
/// for, so `worker.sliceBudgett` in a file would otherwise be ignored without a word.
/// Compares the keys Baton read (`AccessedKeys`) with what the file, the environment and
/// the command line hold.
enum UnknownSettings {
    /// Settings in `file` that Baton never read, as an error naming them.
    static func check(file path: String, accessed: Set<String>) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let tree = try? Yams.load(yaml: text) as? [String: Any]
        else { return }
        let unknown = flatten(tree).subtracting(accessed).sorted()
        guard !unknown.isEmpty else { return }
        let listed = unknown.map { key in
            suggestion(for: key, among: accessed).map { "\(key) (did you mean \($0)?)" } ?? key
        }
        throw ConfigurationError(key: "config", message: "\(path) has settings Baton does not know: \(listed.joined(separator: ", "))")
    }

    /// `--set KEY=VALUE` (and flag) keys Baton never read: `--set worker.concurency=2`
    /// must not be ignored.
    static func check<Keys: Sequence<String>>(flags: Keys, accessed: Set<String>) throws {
        let unknown = flags.filter { !accessed.contains($0) }.sorted()
        guard let first = unknown.first else { return }
        let listed = unknown.map { Suggestion.annotate($0, among: accessed) }
        throw ConfigurationError(
            key: first,
            message: "--set names \(unknown.count == 1 ? "a setting" : "settings") Baton does not know: \(listed.joined(separator: ", "))",
            mentionsEnvironment: false
        )
    }

    /// `BATON_…` variables that match no setting (the stack's and tools' own excepted).
    static func unknownEnvironment(_ environment: [String: String], accessed: Set<String>) -> [String] {
        let known = Set(accessed.map(SettingsReader.environmentName(of:)))
        return environment.keys.filter { name in
            name.hasPrefix("BATON_") && !known.contains(name) && !["BATON_CONFIG", "BATON_PYTHON"].contains(name)
                && !name.hasPrefix("BATON_STACK_") && !name.hasPrefix("BATON_TEST_")
        }.sorted()
    }

    /// The dotted keys the YAML file at `path` sets (empty when it cannot be read).
    static func fileKeys(_ path: String) -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let tree = try? Yams.load(yaml: text) as? [String: Any]
        else { return [] }
        return flatten(tree)
    }

    private static func flatten(_ tree: [String: Any], prefix: String = "") -> Set<String> {
        var keys = Set<String>()
        for (key, value) in tree {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if value is NSNull {
                continue  // an empty section, e.g. one with only comments
            } else if let nested = value as? [String: Any] {
                keys.formUnion(flatten(nested, prefix: path))
            } else {
                keys.insert(path)
            }
        }
        return keys
    }

    private static func suggestion(for key: String, among known: Set<String>) -> String? {
        Suggestion.closest(to: key, among: known)
    }
}
