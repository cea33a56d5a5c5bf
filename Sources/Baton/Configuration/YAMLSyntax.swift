import Yams

/// YAML syntax errors as people read them: `line 4, column 12: mapping values are not
/// allowed in this context`, with the offending line, instead of "not valid JSON".
enum YAMLSyntax {
    /// The location and problem of a YAML syntax error, possibly wrapped in a
    /// `DecodingError`; nil for any other error.
    static func describe(_ error: any Error) -> String? {
        if case .dataCorrupted(let context) = error as? DecodingError, let underlying = context.underlyingError {
            return describe(underlying)
        }
        guard let yaml = error as? YamlError else { return nil }
        switch yaml {
        case .scanner(let context, let problem, let mark, let text),
            .parser(let context, let problem, let mark, let text),
            .composer(let context, let problem, let mark, let text):
            let while_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(mark.line - 1).first.map(String.init) ?? ""
            return "YAML syntax error at line \(mark.line), column \(mark.column): \(problem)\(while_)\n  \(line)\n  \(String(repeating: " ", count: max(0, mark.column - 1)))^"
        case .reader(let problem, let offset, _, _):
            return "YAML cannot be read (offset \(offset.map(String.init) ?? "?")): \(problem)"
        default:
            return "YAML error: \(yaml)"
        }
    }

    /// Parses `text` only to find a syntax error; nil when it is well-formed.
    static func check(_ text: String) -> String? {
        do {
            _ = try Yams.compose(yaml: text)
            return nil
        } catch {
            return describe(error) ?? "\(error)"
        }
    }
}
