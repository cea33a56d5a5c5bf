/// Parses the durations operators write in configuration and flags: `500ms`, `15s`,
/// `5m`, `1h`, also combined (`1m30s`). A number needs its unit (only `0` may go
/// without): `300000` could mean 5 minutes or 83 hours, so it is refused.
public enum ConfigDuration {
    /// The duration, or nil when `text` is not one (also a bare number other than 0).
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let number = Double(trimmed) { return number == 0 ? .zero : nil }
        var total: Duration = .zero
        var number = ""
        var index = trimmed.startIndex
        while index < trimmed.endIndex {
            let character = trimmed[index]
            if character.isNumber || character == "." {
                number.append(character)
                index = trimmed.index(after: index)
                continue
            }
            var unit = ""
            while index < trimmed.endIndex, trimmed[index].isLetter {
                unit.append(trimmed[index])
                index = trimmed.index(after: index)
            }
            guard let value = Double(number), let scale = unitMilliseconds[unit] else { return nil }
            total += .milliseconds(Int64((value * scale).rounded()))
            number = ""
        }
        return number.isEmpty ? total : nil
    }

    /// The shortest exact spelling, for `--help` defaults and log lines.
    public static func format(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        for (unit, scale) in [("h", 3_600_000), ("m", 60_000), ("s", 1000)] as [(String, Int64)]
        where ms >= scale && ms % scale == 0 {
            return "\(ms / scale)\(unit)"
        }
        return "\(ms)ms"
    }

    /// Why `text` is not a duration, with a suggestion when it is a number without a
    /// unit: `"300000" has no unit: did you mean 300000ms (5m) or 300000s (83h20m)?`.
    public static func problem(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let number = Double(trimmed), number > 0, number < 1e12 {
            let asMilliseconds = Duration.milliseconds(Int64(number.rounded()))
            let asSeconds = Duration.milliseconds(Int64((number * 1000).rounded()))
            func reading(_ unit: String, _ duration: Duration) -> String {
                let spelled = "\(trimmed)\(unit)"
                let described = describe(duration)
                return described == spelled ? spelled : "\(spelled) (\(described))"
            }
            return "\"\(trimmed)\" has no unit: did you mean \(reading("ms", asMilliseconds)) or \(reading("s", asSeconds))?"
        }
        return "expected a duration like 500ms, 15s, 5m or 1h, got \"\(trimmed)\""
    }

    /// Hours, minutes and seconds for people: `83h20m`, `5m`, `1.5s`.
    public static func describe(_ duration: Duration) -> String {
        var ms = duration.milliseconds
        var parts: [String] = []
        for (unit, scale) in [("h", 3_600_000), ("m", 60_000)] as [(String, Int64)] where ms >= scale {
            parts.append("\(ms / scale)\(unit)")
            ms %= scale
        }
        if parts.isEmpty, ms < 1000 {
            parts.append("\(ms)ms")
        } else if ms > 0 {
            parts.append(ms % 1000 == 0 ? "\(ms / 1000)s" : "\(Double(ms) / 1000)s")
        }
        return parts.joined()
    }

    private static let unitMilliseconds: [String: Double] = [
        "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000,
    ]
}

import Foundation
