extension KeyedDecodingContainer {
    /// The value for `key`, or `fallback` when the key is absent (partial JSON is fine).
    func value<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}
