import ArgumentParser
import Baton
import Foundation

/// A command-line time such as `--since`/`--until` of `baton replay` and `baton report`: an
/// RFC 3339 time read as the envelope's times are (``Timestamp/parse(_:)``: an impossible
/// time such as `…T25:00:00Z` is refused, not carried into the next day), or a duration
/// before now (`90m`, `2h`, ``ConfigDuration``).
enum TimeOption {
    /// - Throws: `ValidationError` naming `option`, the text and, for a time that does not
    ///   exist, why (`hour 25 does not exist`).
    static func parse(_ text: String, now: Date, option: String) throws -> Date {
        if let date = Timestamp.parse(text) { return date }
        if let ago = ConfigDuration.parse(text) { return now.addingTimeInterval(-ago.seconds) }
        let expected = "expected an ISO-8601 time (2026-11-30T08:00:00Z) or a duration ago (2h), got \"\(text)\""
        // Only a text shaped like a time gets the reader's reason; "yesterday" is simply neither.
        if let reason = Timestamp.reason(text), text.count >= 20, text.first?.isNumber == true {
            throw ValidationError("\(option): \(expected): \(reason)")
        }
        throw ValidationError("\(option): \(expected)")
    }
}
