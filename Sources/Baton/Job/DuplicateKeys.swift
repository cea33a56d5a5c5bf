import Foundation

/// Finds a key that appears twice in one JSON object. Such a document is ambiguous:
/// Foundation's `JSONDecoder` takes the first occurrence, `JSONSerialization` and most other
/// readers (Python's `json`, `jq`) the last, so a worker and the tools an operator reads the
/// topic with would see two different jobs. The envelope is a job's only state, so an
/// ambiguous one is poison (``JobEnvelopeCodec``). Foundation's decoder cannot tell: it
/// keeps one of the two without a word.
///
/// One pass over the bytes with an explicit stack (a hostile nesting depth costs memory, not
/// the thread's stack). Keys compare as the decoder's strings would: byte for byte when
/// plain ASCII, else unescaped and compared as `String`s (canonical equivalence, as a
/// dictionary keyed by them does). Up to ``linearKeys`` keys an object compares each new key
/// with the ones before it; beyond that it keeps a set, so a hostile object with a hundred
/// thousand keys costs linear time, not quadratic. About 2 µs for the ~0.6 KB envelope.
enum DuplicateKeys {
    static let linearKeys = 16

    /// A key's bytes (between its quotes); `text` indexes the unescaped form of a key with
    /// escapes or non-ASCII bytes, -1 for a plain one. Trivial, so arrays of them stay cheap.
    private struct Key {
        var start: Int
        var end: Int
        var text: Int
    }

    private struct Frame {
        var isObject: Bool
        var keysStart: Int
        var currentKey = -1
        var index = 0
    }

    /// The path of the first key that appears a second time in its object (`source.bucket`,
    /// `items[2].id`); nil when there is none. Meant for text the decoder accepted as JSON:
    /// on anything else it answers nil, never fails.
    static func first(in bytes: [UInt8]) -> String? {
        var keys: [Key] = []
        var texts: [String] = []
        var frames: [Frame] = []
        var sets: [Int: Set<String>] = [:]  // by frame depth, for objects past `linearKeys`
        var expectKey = false
        var i = 0
        let count = bytes.count
        keys.reserveCapacity(32)
        frames.reserveCapacity(8)
        while i < count {
            let byte = bytes[i]
            i += 1
            switch byte {
            case UInt8(ascii: "\""):
                let start = i
                var plain = true
                while i < count {
                    let inner = bytes[i]
                    if inner == UInt8(ascii: "\"") { break }
                    if inner == UInt8(ascii: "\\") {
                        plain = false
                        i += 2
                    } else {
                        if inner >= 0x80 { plain = false }
                        i += 1
                    }
                }
                guard i < count else { return nil }
                let end = i
                i += 1
                guard expectKey, let top = frames.indices.last, frames[top].isObject else { continue }
                expectKey = false
                var key = Key(start: start, end: end, text: -1)
                if !plain {
                    // The decoder's own unescaping: what it keys the object by.
                    guard let unescaped = try? JSONDecoder().decode(String.self, from: Data(bytes[(start - 1)...end])) else { return nil }
                    key.text = texts.count
                    texts.append(unescaped)
                }
                let first = frames[top].keysStart
                if keys.count - first >= linearKeys {
                    if sets[top] == nil { sets[top] = Set(keys[first...].map { text($0, bytes, texts) }) }
                    if sets[top]?.insert(text(key, bytes, texts)).inserted == false { return path(to: key, bytes, keys, texts, frames) }
                } else {
                    for other in keys[first...] where same(other, key, bytes, texts) { return path(to: key, bytes, keys, texts, frames) }
                }
                keys.append(key)
                frames[top].currentKey = keys.count - 1
            case UInt8(ascii: "{"):
                frames.append(Frame(isObject: true, keysStart: keys.count))
                expectKey = true
            case UInt8(ascii: "["):
                frames.append(Frame(isObject: false, keysStart: keys.count))
                expectKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let frame = frames.popLast() {
                    keys.removeSubrange(frame.keysStart...)
                    if !sets.isEmpty { sets[frames.count] = nil }
                }
                expectKey = false
            case UInt8(ascii: ","):
                if let top = frames.indices.last {
                    if frames[top].isObject { expectKey = true } else { frames[top].index += 1 }
                }
            default:
                break
            }
        }
        return nil
    }

    private static func text(_ key: Key, _ bytes: [UInt8], _ texts: [String]) -> String {
        key.text >= 0 ? texts[key.text] : String(decoding: bytes[key.start..<key.end], as: UTF8.self)
    }

    private static func same(_ a: Key, _ b: Key, _ bytes: [UInt8], _ texts: [String]) -> Bool {
        if a.text < 0 && b.text < 0 {
            guard a.end - a.start == b.end - b.start else { return false }
            var (i, j) = (a.start, b.start)
            while i < a.end {
                if bytes[i] != bytes[j] { return false }
                i += 1
                j += 1
            }
            return true
        }
        return text(a, bytes, texts) == text(b, bytes, texts)
    }

    /// `source.bucket`, `items[2].id`: the keys and indices open around `key`, then `key`.
    private static func path(to key: Key, _ bytes: [UInt8], _ keys: [Key], _ texts: [String], _ frames: [Frame]) -> String {
        var path = ""
        for frame in frames.dropLast() {
            if !frame.isObject {
                path += "[\(frame.index)]"
            } else if frame.currentKey >= 0 {
                path += (path.isEmpty ? "" : ".") + text(keys[frame.currentKey], bytes, texts)
            }
        }
        return path + (path.isEmpty ? "" : ".") + text(key, bytes, texts)
    }
}
