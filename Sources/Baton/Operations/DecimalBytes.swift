/// Decimal integers as ASCII bytes, for header values: no `String` in between, so writing
/// one allocates nothing beyond the bytes (`baton replay` writes three per copy).
enum DecimalBytes {
    /// 0…9 made once: the `baton-replays` count of nearly every copy.
    private static let digits: [[UInt8]] = (0...9).map { [UInt8(ascii: "0") + UInt8($0)] }

    /// The decimal text of `value`.
    static func of(_ value: Int) -> [UInt8] {
        if (0...9).contains(value) { return digits[value] }
        var bytes: [UInt8] = []
        append(Int64(value), to: &bytes)
        return bytes
    }

    /// Appends the decimal text of `value` (with a leading `-` when negative).
    static func append(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// The integer `bytes` spell (an optional sign, then digits only), or nil, as `Int(_:)`
    /// reads the same text.
    static func parse(_ bytes: [UInt8]) -> Int? {
        var index = bytes.startIndex
        var negative = false
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < bytes.endIndex else { return nil }
        var value = 0
        while index < bytes.endIndex {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = negative ? times10.subtractingReportingOverflow(Int(digit)) : times10.addingReportingOverflow(Int(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            index += 1
        }
        return value
    }
}
