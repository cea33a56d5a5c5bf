internal import CRdKafka

extension KafkaError {
    /// An error from a librdkafka response code, with librdkafka's text or `message`.
    init(_ err: rd_kafka_resp_err_t, message: String? = nil, context: String? = nil, property: String? = nil) {
        let text = message ?? String(cString: rd_kafka_err2str(err))
        self.init(
            name: String(cString: rd_kafka_err2name(err)),
            message: context.map { "\($0): \(text)" } ?? text,
            code: err.rawValue,
            isRetriable: KafkaError.retriable.contains(err.rawValue),
            isFatal: err == RD_KAFKA_RESP_ERR__FATAL,
            property: property
        )
    }

    /// Takes over (and destroys) an `rd_kafka_error_t`.
    init(consuming error: OpaquePointer, context: String? = nil) {
        defer { rd_kafka_error_destroy(error) }
        let text = String(cString: rd_kafka_error_string(error))
        self.init(
            name: String(cString: rd_kafka_error_name(error)),
            message: context.map { "\($0): \(text)" } ?? text,
            code: rd_kafka_error_code(error).rawValue,
            isRetriable: rd_kafka_error_is_retriable(error) != 0
                || KafkaError.retriable.contains(rd_kafka_error_code(error).rawValue),
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    /// The client was shut down or closed; it accepts no more work.
    static func destroyed(_ what: String) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__DESTROY, context: "\(what) is shut down")
    }

    /// A fatal error raised on `handle`, with its underlying cause.
    static func fatal(_ handle: OpaquePointer) -> KafkaError {
        var buffer = [CChar](repeating: 0, count: 512)
        let underlying = rd_kafka_fatal_error(handle, &buffer, buffer.count)
        var error = KafkaError(
            underlying,
            message: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        )
        error.isFatal = true
        error.isRetriable = false
        return error
    }

    /// An argument librdkafka would refuse (`_INVALID_ARG`), caught before calling it.
    static func invalidArgument(_ message: String) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, message: message)
    }

    /// A group operation on a client without a group (`_UNKNOWN_GROUP`).
    static func unknownGroup(context: String) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__UNKNOWN_GROUP, context: context)
    }

    static func configuration(property: String, _ message: String) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, message: message, property: property)
    }

    /// Produce errors after which a producer's id or epoch is no longer accepted
    /// (OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, INVALID_PRODUCER_ID_MAPPING,
    /// PRODUCER_FENCED): the producer cannot deliver again and must be replaced.
    static let producerIdentityLost: Set<Int32> = [
        RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER.rawValue, RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH.rawValue,
        RD_KAFKA_RESP_ERR_INVALID_PRODUCER_ID_MAPPING.rawValue, RD_KAFKA_RESP_ERR_PRODUCER_FENCED.rawValue,
    ]

    /// Errors that may go away on their own (transient broker or network state).
    static let retriable: Set<Int32> = [
        RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT,
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__WAIT_COORD,
        RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR__RETRY,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
        RD_KAFKA_RESP_ERR_FETCH_SESSION_ID_NOT_FOUND, RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED,
    ].reduce(into: Set<Int32>()) { $0.insert($1.rawValue) }
}

extension rd_kafka_resp_err_t {
    var isError: Bool { self != RD_KAFKA_RESP_ERR_NO_ERROR }
}

extension KafkaError {
    /// librdkafka's local queue is full (`_QUEUE_FULL`): produce again once deliveries made room.
    public var isLocalQueueFull: Bool { code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue }
}
