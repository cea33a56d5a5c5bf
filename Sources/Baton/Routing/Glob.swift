/// Shell-style patterns for bucket names and object keys: `*` matches within one path
/// segment, `**` across segments, `?` one character. No regular expressions, so a route
/// file cannot hide a catastrophic pattern.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let tokens: [Token]

    private enum Token: Hashable {
        case literal(Character)
        case anyCharacter
        case anyInSegment
        case anyAcrossSegments
    }

    public init(_ pattern: String) {
        self.pattern = pattern
        var tokens: [Token] = []
        var characters = pattern[...]
        while let character = characters.popFirst() {
            switch character {
            case "*" where characters.first == "*":
                characters.removeFirst()
                tokens.append(.anyAcrossSegments)
            case "*": tokens.append(.anyInSegment)
            case "?": tokens.append(.anyCharacter)
            default: tokens.append(.literal(character))
            }
        }
        self.tokens = tokens
    }

    public var description: String { pattern }

    public func matches(_ text: String) -> Bool {
        let characters = Array(text)
        // memo[t][c]: does tokens[t...] match characters[c...]? Bounded O(tokens × text).
        var memo = [[Bool?]](repeating: [Bool?](repeating: nil, count: characters.count + 1), count: tokens.count + 1)
        func match(_ t: Int, _ c: Int) -> Bool {
            if let known = memo[t][c] { return known }
            let result: Bool
            if t == tokens.count {
                result = c == characters.count
            } else {
                switch tokens[t] {
                case .literal(let expected): result = c < characters.count && characters[c] == expected && match(t + 1, c + 1)
                case .anyCharacter: result = c < characters.count && characters[c] != "/" && match(t + 1, c + 1)
                case .anyInSegment: result = match(t + 1, c) || (c < characters.count && characters[c] != "/" && match(t, c + 1))
                case .anyAcrossSegments: result = match(t + 1, c) || (c < characters.count && match(t, c + 1))
                }
            }
            memo[t][c] = result
            return result
        }
        return match(0, 0)
    }
}
