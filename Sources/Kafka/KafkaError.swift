/// An error reported by librdkafka or by this layer.
///
/// `name` is librdkafka's error name (`rd_kafka_err2name`), e.g. `_MSG_TIMED_OUT` for a
/// local error (leading underscore) or `TOPIC_ALREADY_EXISTS` for a broker error; `code`
/// is the matching `rd_kafka_resp_err_t` value.
public struct KafkaError: Error, CustomStringConvertible, Hashable {
    public var name: String
    public var message: String
    public var code: Int32
    /// Trying the same operation again may succeed.
    public var isRetriable: Bool
    /// The client instance is unusable (e.g. an idempotent producer lost its guarantees).
    public var isFatal: Bool
    /// The configuration property the error is about, if any.
    public var property: String?

    public init(
        name: String,
        message: String,
        code: Int32,
        isRetriable: Bool = false,
        isFatal: Bool = false,
        property: String? = nil
    ) {
        self.name = name
        self.message = message
        self.code = code
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.property = property
    }

    public var description: String {
        var text = "Kafka error \(name): \(message)"
        if isFatal { text += " (fatal)" } else if isRetriable { text += " (retriable)" }
        return text
    }
}
