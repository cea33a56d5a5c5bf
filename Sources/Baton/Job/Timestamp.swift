import Foundation

/// ISO-8601 UTC times as the envelope and outcome records carry them.
public enum Timestamp {
    /// `2026-11-27T10:00:00.123Z`: UTC, milliseconds, `Z`.
    public static func format(_ date: Date) -> String {
        UTCTimestamp.format(date)
    }

    /// Foundation's rendering of the same form, for years the fast path does not write.
    static func foundationFormat(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// An RFC 3339 time (`2026-11-27T10:00:00Z`, `2026-11-27T12:00:00.5+02:00`, …), or nil
    /// when the text is not one or names a time that does not exist (`2026-02-30…`,
    /// `…T25:00:00Z`). ``reason(_:)`` says why.
    public static func parse(_ text: String) -> Date? {
        try? UTCTimestamp.read(text).get()
    }

    /// Why `text` is not a time ``parse(_:)`` reads (`hour 25 does not exist`); nil when it is one.
    public static func reason(_ text: String) -> String? {
        guard case .failure(let problem) = UTCTimestamp.read(text) else { return nil }
        return problem.reason
    }
}
