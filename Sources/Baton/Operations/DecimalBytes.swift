/// Decimal integers as header-value bytes, through the standard library's own conversions
/// (an integer's text is a small string, so no `String` is allocated in between).
enum DecimalBytes {
    /// 0…9 made once: the `baton-replays` count of nearly every copy.
    private static let digits: [[UInt8]] = (0...9).map { Array(String($0).utf8) }

    /// The decimal text of `value`.
    static func of(_ value: Int) -> [UInt8] {
        (0...9).contains(value) ? digits[value] : Array(String(value).utf8)
    }

    /// Appends the decimal text of `value` (with a leading `-` when negative).
    static func append(_ value: Int64, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// The integer `bytes` spell, as `Int(_:)` reads their text; nil for anything else.
    static func parse(_ bytes: [UInt8]) -> Int? {
        Int(String(decoding: bytes, as: UTF8.self))
    }
}
