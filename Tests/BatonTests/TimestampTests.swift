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

    @Test("other ISO-8601 spellings are still read (through Foundation)")
    func otherSpellings() throws {
        let plain = try #require(Timestamp.parse("2026-11-27T10:00:00Z"))
        #expect(Timestamp.format(plain) == "2026-11-27T10:00:00.000Z")
        let offset = try #require(Timestamp.parse("2026-11-27T11:00:00+01:00"))
        #expect(offset == plain)
        #expect(Timestamp.parse("2026-11-27T10:00:00.123456Z").map(Timestamp.format) == "2026-11-27T10:00:00.123Z")
        #expect(Timestamp.parse("yesterday") == nil)
    }
}
