/// "Did you mean …?" for misspelt settings, route keys, template placeholders and commands.
public enum Suggestion {
    /// The candidate nearest to `word` (edit distance, case-insensitive), if it is close
    /// enough to be a plausible typo.
    public static func closest<S: Sequence<String>>(to word: String, among candidates: S) -> String? {
        let lowered = word.lowercased()
        let best = candidates.map { ($0, distance(lowered, $0.lowercased())) }.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        guard let best, best.1 <= max(2, word.count / 5) else { return nil }
        return best.0
    }

    /// Levenshtein distance; the words are short.
    static func distance(_ a: String, _ b: String) -> Int {
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

    /// `name (did you mean other?)`, or just `name`.
    public static func annotate<S: Sequence<String>>(_ word: String, among candidates: S) -> String {
        closest(to: word, among: candidates).map { "\(word) (did you mean \($0)?)" } ?? word
    }
}
