import Baton
import Foundation
import Testing

@Suite("Timestamps in envelopes and outcome records")
struct TimestampTests {
    @Test("the written form: UTC, milliseconds, Z")
    func format() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_000_000.25)) == "2026-11-18T11:06:40.250Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }

    @Test("what is read back is written back the same, to the millisecond")
    func roundTrip() throws {
        for text in ["2026-11-27T10:00:00.369Z", "2024-02-29T23:59:59.999Z", "1999-12-31T23:59:59.001Z"] {
            let date = try #require(Timestamp.parse(text))
            #expect(Timestamp.format(date) == text)
        }
    }

    @Test("other ISO-8601 spellings are still read")
    func otherSpellings() throws {
        let plain = try #require(Timestamp.parse("2026-11-27T10:00:00Z"))
        #expect(Timestamp.format(plain) == "2026-11-27T10:00:00.000Z")
        let offset = try #require(Timestamp.parse("2026-11-27T11:00:00+01:00"))
        #expect(offset == plain)
        #expect(Timestamp.parse("2026-11-27T10:00:00.123456Z").map(Timestamp.format) == "2026-11-27T10:00:00.123Z")
        #expect(Timestamp.parse("yesterday") == nil)
    }

    @Test("every RFC 3339 spelling read before is read the same: fractions, offsets, lower-case t and z", arguments: [
        ("2026-11-27T10:00:00Z", "2026-11-27T10:00:00.000Z"),
        ("2026-11-27T10:00:00z", "2026-11-27T10:00:00.000Z"),
        ("2026-11-27t10:00:00Z", "2026-11-27T10:00:00.000Z"),
        ("2026-11-27T10:00:00.5Z", "2026-11-27T10:00:00.500Z"),
        ("2026-11-27T10:00:00.123456789Z", "2026-11-27T10:00:00.123Z"),
        ("2026-11-27T12:00:00+02:00", "2026-11-27T10:00:00.000Z"),
        ("2026-11-27T12:00:00.25+02:00", "2026-11-27T10:00:00.250Z"),
        ("2026-11-27T12:00:00+0200", "2026-11-27T10:00:00.000Z"),
        ("2026-11-27T12:00:00+02", "2026-11-27T10:00:00.000Z"),
        ("2026-11-27T04:30:00-05:30", "2026-11-27T10:00:00.000Z"),
        ("2026-11-27T10:00:00-00:00", "2026-11-27T10:00:00.000Z"),
        ("2026-11-28T01:00:00+15:00", "2026-11-27T10:00:00.000Z"),
        ("2024-02-29T10:00:00Z", "2024-02-29T10:00:00.000Z"),
        ("2016-12-31T23:59:60Z", "2017-01-01T00:00:00.000Z"),  // a leap second: a Date has none
        ("2016-12-31T15:59:60-08:00", "2017-01-01T00:00:00.000Z"),
    ])
    func validSpellings(text: String, written: String) throws {
        let date = try #require(Timestamp.parse(text), "\(text): \(Timestamp.reason(text) ?? "")")
        #expect(Timestamp.format(date) == written)
        #expect(Timestamp.reason(text) == nil)
    }

    @Test("times that do not exist are refused with what is wrong, not moved on to a real time", arguments: [
        ("2026-11-30T25:00:00Z", "hour 25 does not exist"),
        ("2026-11-30T24:00:00Z", "hour 24 does not exist"),
        ("2026-02-30T10:00:00Z", "2026-02 has no day 30"),
        ("2026-02-29T10:00:00Z", "2026-02 has no day 29"),
        ("2026-04-31T10:00:00+02:00", "2026-04 has no day 31"),
        ("2026-13-01T00:00:00Z", "month 13 does not exist"),
        ("2026-00-10T00:00:00Z", "month 0 does not exist"),
        ("2026-11-30T23:60:00Z", "minute 60 does not exist"),
        ("2026-11-29T23:59:60Z", "second 60 exists only as a leap second"),
        ("2026-11-30T10:00:61Z", "second 61 does not exist"),
        ("2026-11-27T11:00:00+01:60", "the offset +01:60 does not exist"),
        ("2026-11-27T11:00:00+25:00", "the offset +25:00 does not exist"),
    ])
    func impossibleTimes(text: String, reason: String) {
        #expect(Timestamp.parse(text) == nil, "\(text) was read")
        #expect(Timestamp.reason(text)?.hasPrefix(reason) == true, "\(Timestamp.reason(text) ?? "no reason")")
    }

    @Test("what is not an RFC 3339 time is refused, also what Foundation's parser let through", arguments: [
        "yesterday", "2026-11-27", "2026-11-27T10:00:00", "2026-11-27 10:00:00Z", "2026-11-27T10:00Z", "2026-11-27T10:00:00.Z",
        "2026-11-27T10:00:00Z ", " 2026-11-27T10:00:00Z", "2026-11-27T10:00:00GMT", "2026-11-27T10:00:00UTC", "2026-11-27T1:00:00Z",
        "2026-11-27T10:00:00+1:00", "2026-11-27T10:00:00+05:30:15", "12026-11-27T10:00:00Z", "2026-11-27T10:00:00.123+", "",
    ])
    func notATime(text: String) {
        #expect(Timestamp.parse(text) == nil, "\(text) was read")
        #expect(Timestamp.reason(text)?.hasPrefix("not of the form 2026-11-27T10:00:00Z") == true)
    }
}
