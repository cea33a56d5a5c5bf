import Foundation

/// Finds what Foundation's JSON reader refuses without saying where or why, and the nesting
/// Baton refuses itself, so that a dead letter's reason names the field and the cause:
/// - nesting deeper than ``maxDepth`` arrays and objects. Foundation's reader takes 512
///   levels (Swift 6.3.1 on Linux, found by experiment: 513 are "not valid JSON"), but
///   decoding an unknown field (``JSONValue``) costs time that grows with about the cube of
///   its depth: 0.4 ms at 64 levels, 50 ms at 256, 2 s at 511 (release build, idle). One
///   hostile envelope would hold a worker's slot for seconds at every hop, so Baton
///   refuses nesting past ``maxDepth`` before decoding (``exceedsMaxDepth(_:)``);
/// - a number beyond `Double`'s range (over ±1.8e308), which the reader of unknown fields
///   (``JSONValue``) reports as "expected Dictionary<String, Any>" about the field holding
///   it (no number type takes it; `Decimal`'s range is narrower). One nearer zero than
///   5e-324 is no problem: the reader takes it as 0.
///
/// ``JobEnvelopeCodec`` checks the depth of every envelope (one tight pass, well under a
/// microsecond for the ~0.6 KB envelope) and asks ``firstProblem(in:)`` only after the
/// depth check or the decoder refused one. One pass over the bytes with an explicit stack,
/// like ``DuplicateKeys``.
enum JSONReadLimits {
    /// The deepest nesting of arrays and objects an envelope may have, the envelope itself
    /// being level 1. The envelope's own fields go 3 levels deep; 64 leaves unknown fields
    /// from newer producers ample room while bounding their decoding cost (above).
    static let maxDepth = 64

    /// Whether `bytes` nest arrays and objects deeper than ``maxDepth`` (brackets inside
    /// strings do not count). Never fails, whatever the bytes.
    static func exceedsMaxDepth(_ bytes: [UInt8]) -> Bool {
        var depth = 0
        var i = 0
        let count = bytes.count
        while i < count {
            switch bytes[i] {
            case UInt8(ascii: "\""):
                i += 1
                while i < count, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > maxDepth { return true }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            default:
                break
            }
            i += 1
        }
        return false
    }

    private struct Frame {
        var isObject: Bool
        /// The current member's key, between its quotes; `keyEnd < 0` before the first.
        var keyStart = 0
        var keyEnd = -1
        var index = 0
    }

    /// `items[2].value: …`: the first nesting or number past the reader's limits, with its
    /// path; nil when there is none. Never fails, whatever the bytes.
    static func firstProblem(in bytes: [UInt8]) -> String? {
        var frames: [Frame] = []
        var expectKey = false
        var i = 0
        let count = bytes.count
        while i < count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "\""):
                let start = i + 1
                i = start
                while i < count, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                if expectKey, let top = frames.indices.last, frames[top].isObject {
                    frames[top].keyStart = start
                    frames[top].keyEnd = min(i, count)
                    expectKey = false
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                frames.append(Frame(isObject: byte == UInt8(ascii: "{")))
                expectKey = byte == UInt8(ascii: "{")
                if frames.count > maxDepth {
                    return "\(path(frames.dropLast(), bytes)): nested more than \(maxDepth) levels deep, past Baton's limit"
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = frames.popLast()
                expectKey = false
            case UInt8(ascii: ","):
                if let top = frames.indices.last {
                    if frames[top].isObject { expectKey = true } else { frames[top].index += 1 }
                }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = i
                while i + 1 < count, isNumberByte(bytes[i + 1]) { i += 1 }
                if let problem = numberProblem(bytes[start...i]) {
                    return "\(path(frames[...], bytes)): \(problem)"
                }
            default:
                break
            }
            i += 1
        }
        return nil
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): true
        default: false
        }
    }

    /// Why a number's text is beyond a `Double`, or nil.
    private static func numberProblem(_ text: ArraySlice<UInt8>) -> String? {
        // Without an exponent a number needs over 300 digits to pass 1.8e308: no need to parse.
        let exponent = text.contains { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        guard exponent || text.count > 300, let value = Double(String(decoding: text, as: UTF8.self)) else { return nil }
        let shown = text.count > 40 ? String(decoding: text.prefix(37), as: UTF8.self) + "…" : String(decoding: text, as: UTF8.self)
        guard value.isInfinite else { return nil }
        return "the number \(shown) is beyond the range of a double (±1.8e308); no reader here can hold it"
    }

    /// `source.extra[3].x`; the middle of a very deep path is left out.
    private static func path(_ frames: ArraySlice<Frame>, _ bytes: [UInt8]) -> String {
        var parts: [String] = []
        for frame in frames {
            if !frame.isObject {
                parts.append("[\(frame.index)]")
            } else if frame.keyEnd >= 0 {
                parts.append((parts.isEmpty ? "" : ".") + key(bytes[frame.keyStart..<frame.keyEnd]))
            }
        }
        if parts.isEmpty { return "envelope" }
        if parts.count > 8 { return parts.prefix(6).joined() + "…" + parts[parts.count - 1].trimmingPrefix(".") }
        return parts.joined()
    }

    /// A key as the decoder reads it (escapes resolved), or its raw text if it cannot.
    private static func key(_ raw: ArraySlice<UInt8>) -> String {
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        return (try? JSONDecoder().decode(String.self, from: Data([UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")])))
            ?? String(decoding: raw, as: UTF8.self)
    }
}
