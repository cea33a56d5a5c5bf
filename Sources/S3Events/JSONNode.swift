import Foundation

/// A value inside a parsed JSON document that remembers its path, so every type error
/// can say where it is (`Records[0].s3.object.key: expected a string`).
struct JSONNode {
    let value: Any
    let path: String

    static func parse(_ data: [UInt8], path: String = "") throws -> JSONNode {
        do {
            return JSONNode(value: try JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed]), path: path)
        } catch {
            throw S3EventError(path: path, reason: "not valid JSON")
        }
    }

    func child(_ key: String) -> JSONNode? {
        guard let object = value as? [String: Any], let child = object[key], !(child is NSNull) else { return nil }
        return JSONNode(value: child, path: path.isEmpty ? key : "\(path).\(key)")
    }

    func required(_ key: String) throws -> JSONNode {
        guard let child = child(key) else { throw S3EventError(path: path.isEmpty ? key : "\(path).\(key)", reason: "missing") }
        return child
    }

    var isObject: Bool { value is [String: Any] }

    func array() throws -> [JSONNode] {
        guard let array = value as? [Any] else { throw S3EventError(path: path, reason: "expected an array") }
        return array.enumerated().map { JSONNode(value: $1, path: "\(path)[\($0)]") }
    }

    func string() throws -> String {
        guard let string = value as? String else { throw S3EventError(path: path, reason: "expected a string") }
        return string
    }

    func nonEmptyString() throws -> String {
        let string = try string()
        guard !string.isEmpty else { throw S3EventError(path: path, reason: "must not be empty") }
        return string
    }

    /// Sizes arrive as numbers; some relays stringify them.
    func nonNegativeInt() throws -> Int {
        // JSON booleans are NSNumbers too; their type code is "c".
        if let number = value as? NSNumber, String(cString: number.objCType) != "c" {
            let double = number.doubleValue
            if double >= 0, double == double.rounded(), double < 9e18 { return Int(double) }
        }
        if let string = value as? String, let int = Int(string), int >= 0 { return int }
        throw S3EventError(path: path, reason: "expected a non-negative integer")
    }
}
