/// Parses the durations operators write in configuration and flags: `500ms`, `15s`,
/// `5m`, `1h`, also combined (`1m30s`) and bare seconds (`90`).
public enum ConfigDuration {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let seconds = Double(trimmed), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
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

    private static let unitMilliseconds: [String: Double] = [
        "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000,
    ]
}

import Foundation
