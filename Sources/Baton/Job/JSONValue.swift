import Foundation

/// Any JSON value: how envelope fields this version of Baton does not know are kept, so
/// a newer producer and an older worker can coexist during a rolling deploy.
///
/// Numbers keep their value exactly where a decimal of up to 38 significant digits can:
/// an integer that fits 64 bits is `.int`, a number a `Double` writes back as the same
/// value is `.double`, and any other (`123456789012345678901234567890`,
/// `18446744073709551615`, `3.14159265358979323846264338327950`) is `.decimal`. A number
/// beyond `Decimal`'s exponent range (±128) falls back to `Double`, and one of more than
/// 38 significant digits is rounded to 38 (Foundation's decoder hands out no number's text).
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case decimal(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Containers first: a failed attempt costs time in proportion to the value it
        // looked at, so a scalar attempt on a deep object, repeated at every level, made
        // decoding grow with the cube of the depth (JSONReadLimits).
        if container.decodeNil() {
            self = .null
        } else if let object = try? container.decode([String: JSONValue].self) {
            self = .object(object)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int64.self) {
            self = .int(int)
        } else if let decimal = try? container.decode(Decimal.self) {
            // A Double is the cheaper and older form; keep it where it loses nothing.
            if let double = try? container.decode(Double.self), Decimal(string: "\(double)") == decimal {
                self = .double(double)
            } else {
                self = .decimal(decimal)
            }
        } else {
            self = .double(try container.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .decimal(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
