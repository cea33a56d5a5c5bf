import Curl
import Foundation

/// The one form of time Baton writes, `2026-11-27T10:00:00.123Z`, formatted digit by digit,
/// and the RFC 3339 forms it reads, parsed and checked digit by digit. Foundation's ISO-8601
/// format style cost tens of microseconds a call, several calls per hop (about 2 % of a hop's
/// CPU, docs/benchmarks.md), and its parser accepted impossible times (`25:00`, `02-30`) by
/// moving them on to real ones.
enum UTCTimestamp {
    /// UTC with milliseconds. Foundation's style truncated the float itself, so a time read
    /// back from `.369` (0.3689999… s) was written `.368`; whole microseconds first keep
    /// what is read back written back the same.
    static func format(_ date: Date) -> String {
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let milliseconds = floorDivide(microseconds, 1000)
        let seconds = floorDivide(milliseconds, 1000)
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = CivilTime.date(days: Int(days))
        guard (0...9999).contains(year) else { return Timestamp.foundationFormat(date) }
        var bytes = [UInt8](repeating: UInt8(ascii: "0"), count: 24)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var value = value
            for i in stride(from: at + width - 1, through: at, by: -1) {
                bytes[i] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, 0, 4); bytes[4] = UInt8(ascii: "-"); put(month, 5, 2); bytes[7] = UInt8(ascii: "-"); put(day, 8, 2)
        bytes[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, 11, 2); bytes[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, 14, 2); bytes[16] = UInt8(ascii: ":"); put(secondOfDay % 60, 17, 2)
        bytes[19] = UInt8(ascii: "."); put(Int(milliseconds - seconds * 1000), 20, 3); bytes[23] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Why a text is not a time the envelope accepts, in words for a dead letter
    /// (`hour 25 does not exist`).
    struct Problem: Error, Equatable {
        var reason: String
    }

    /// An RFC 3339 time (the ISO-8601 profile for the internet):
    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, with `t` and `z` in lower case too, and
    /// the offsets ISO 8601 also allows, `±HHMM` and `±HH`. Every field is checked against
    /// the calendar: Foundation's parser, used before, carried `25:00` into the next day and
    /// `02-30` into March, so a producer's mistake became another time. A leap second (`:60`)
    /// is read only at the end of a month's last minute in UTC, as the second after it (as
    /// Foundation did); a `Date` has no leap seconds. Digits of the fraction beyond the ninth
    /// are ignored.
    static func read(_ text: String) -> Result<Date, Problem> {
        let bytes = Array(text.utf8)
        let form = Problem(reason: "not of the form 2026-11-27T10:00:00Z, with an optional fraction and an offset such as +02:00 instead of Z")
        guard bytes.count >= 20 else { return .failure(form) }
        func number(_ at: Int, _ width: Int) -> Int? {
            var value = 0
            for i in at..<(at + width) {
                let digit = Int(bytes[i]) &- 48
                guard digit >= 0, digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return .failure(form) }
        var at = 19
        var fraction = 0.0
        if bytes[at] == UInt8(ascii: ".") {
            at += 1
            let start = at
            while at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) { at += 1 }
            let digits = min(at - start, 9)
            guard digits > 0, let value = number(start, digits) else { return .failure(form) }
            var scale = 1.0
            for _ in 0..<digits { scale *= 10 }
            fraction = Double(value) / scale
        }
        guard at < bytes.count else { return .failure(form) }
        var offsetMinutes = 0
        switch bytes[at] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard at + 1 == bytes.count else { return .failure(form) }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[at] == UInt8(ascii: "-") ? -1 : 1
            let rest = bytes.count - at - 1
            let hasColon = rest == 5 && bytes[at + 3] == UInt8(ascii: ":")
            guard rest == 2 || rest == 4 || hasColon, let hours = number(at + 1, 2) else { return .failure(form) }
            let minutes = rest == 2 ? 0 : number(hasColon ? at + 4 : at + 3, 2)
            guard let minutes else { return .failure(form) }
            guard hours <= 23, minutes <= 59 else {
                return .failure(Problem(reason: "the offset \(String(decoding: bytes[at...], as: UTF8.self)) does not exist (at most ±23:59)"))
            }
            offsetMinutes = sign * (hours * 60 + minutes)
        default:
            return .failure(form)
        }
        guard (1...12).contains(month) else { return .failure(Problem(reason: "month \(month) does not exist")) }
        guard (1...daysIn(month: month, year: year)).contains(day) else {
            return .failure(Problem(reason: "\(String(decoding: bytes[0..<7], as: UTF8.self)) has no day \(day)"))
        }
        guard hour <= 23 else { return .failure(Problem(reason: "hour \(hour) does not exist")) }
        guard minute <= 59 else { return .failure(Problem(reason: "minute \(minute) does not exist")) }
        let minuteOfDay = Int64(CivilTime.days(year: year, month: month, day: day)) * 1440 + Int64(hour * 60 + minute - offsetMinutes)
        if second == 60 {
            // A leap second is inserted after 23:59:59 UTC on the last day of a month.
            let (utcDays, utcMinute) = (floorDivide(minuteOfDay, 1440), minuteOfDay - floorDivide(minuteOfDay, 1440) * 1440)
            let (utcYear, utcMonth, utcDay) = CivilTime.date(days: Int(utcDays))
            guard utcMinute == 1439, utcDay == daysIn(month: utcMonth, year: utcYear) else {
                return .failure(Problem(reason: "second 60 exists only as a leap second, at 23:59 UTC on a month's last day"))
            }
        } else if second > 60 {
            return .failure(Problem(reason: "second \(second) does not exist"))
        }
        return .success(Date(timeIntervalSince1970: Double(minuteOfDay * 60 + Int64(second)) + fraction))
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
