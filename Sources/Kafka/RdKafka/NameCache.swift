#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Topic and header names seen lately, so that messages copied out of librdkafka share one
/// string per name: a name longer than 15 bytes is otherwise a heap allocation in every
/// message (a copy of a whole topic made two per record: topic and header name).
/// Used by one thread at a time (the consumer's poll thread).
struct NameCache {
    private var names: [String] = []
    /// Names kept; a name beyond them is still returned, as a string of its own.
    static let capacity = 32

    /// The string for the C string `name`, shared with earlier calls for the same name.
    mutating func name(_ name: UnsafePointer<CChar>) -> String {
        let length = strlen(name)
        for known in names where known.utf8.count == length && known.withCString({ strcmp($0, name) == 0 }) {
            return known
        }
        let new = String(cString: name)
        if names.count < Self.capacity { names.append(new) }
        return new
    }
}
