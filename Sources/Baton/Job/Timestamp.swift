import Foundation

/// ISO-8601 UTC times as the envelope and outcome records carry them.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        UTCTimestamp.format(date)
    }

    /// Foundation's rendering of the same form, for years the fast path does not write.
    static func foundationFormat(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    public static func parse(_ text: String) -> Date? {
        if let date = UTCTimestamp.parse(text) { return date }
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) {
            return date
        }
        return try? Date(text, strategy: .iso8601)
    }
}
