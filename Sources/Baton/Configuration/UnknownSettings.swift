import Configuration
import Foundation
import Synchronization
import Yams

/// Catches misspelt settings: swift-configuration answers only the keys it is asked
/// for, so `worker.sliceBudgett` in a file would otherwise be ignored without a word.
/// Records every key Baton reads, then compares with what the file and environment hold.
final class AccessedKeys: AccessReporter {
    private let keys = Mutex(Set<String>())

    func report(_ event: AccessEvent) {
        let key = event.metadata.key.components.joined(separator: ".")
        keys.withLock { _ = $0.insert(key) }
    }

    var all: Set<String> { keys.withLock { $0 } }
}

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

    /// `BATON_…` variables that match no setting (the stack's and tools' own excepted).
    static func unknownEnvironment(_ environment: [String: String], accessed: Set<String>) -> [String] {
        let known = Set(accessed.map(SettingsReader.environmentName(of:)))
        return environment.keys.filter { name in
            name.hasPrefix("BATON_") && !known.contains(name) && !["BATON_CONFIG", "BATON_PYTHON"].contains(name)
                && !name.hasPrefix("BATON_STACK_") && !name.hasPrefix("BATON_TEST_")
        }.sorted()
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
        let best = known.map { ($0, distance(key, $0)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, key.count / 5) else { return nil }
        return best.0
    }

    /// Levenshtein distance; keys are short.
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
