#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `ts` of a log line: UTC, ISO 8601 with milliseconds (`2026-11-30T22:41:07.123Z`),
/// built from `clock_gettime` and `gmtime_r` digit by digit — no formatter, no locale.
enum LogTimestamp {
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: Int(spec.tv_sec), milliseconds: Int(spec.tv_nsec / 1_000_000))
    }

    static func format(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var value = value
            for i in stride(from: at + width - 1, through: at, by: -1) {
                bytes[i] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, 0, 4); bytes[4] = UInt8(ascii: "-")
        put(Int(parts.tm_mon) + 1, 5, 2); bytes[7] = UInt8(ascii: "-")
        put(Int(parts.tm_mday), 8, 2); bytes[10] = UInt8(ascii: "T")
        put(Int(parts.tm_hour), 11, 2); bytes[13] = UInt8(ascii: ":")
        put(Int(parts.tm_min), 14, 2); bytes[16] = UInt8(ascii: ":")
        put(Int(parts.tm_sec), 17, 2); bytes[19] = UInt8(ascii: ".")
        put(milliseconds, 20, 3); bytes[23] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }
}
