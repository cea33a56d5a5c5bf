internal import CRdKafka

/// One admin request: options with timeouts, a private result queue, and a bounded wait
/// for the result event (which the caller destroys).
struct RdKafkaAdminCall {
    let handle: OpaquePointer
    let operation: rd_kafka_admin_op_t
    let timeout: Duration
    let operationTimeout: Bool
    let start: (OpaquePointer?, OpaquePointer?) -> Void

    init(
        handle: OpaquePointer,
        operation: rd_kafka_admin_op_t,
        timeout: Duration,
        operationTimeout: Bool,
        start: @escaping (OpaquePointer?, OpaquePointer?) -> Void
    ) {
        self.handle = handle
        self.operation = operation
        self.timeout = timeout
        self.operationTimeout = operationTimeout
        self.start = start
    }

    func run() throws(KafkaError) -> OpaquePointer {
        let options = rd_kafka_AdminOptions_new(handle, operation)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errstr = [CChar](repeating: 0, count: 512)
        let ms = max(1, timeout.milliseconds)
        var err = rd_kafka_AdminOptions_set_request_timeout(options, ms, &errstr, errstr.count)
        if err.isError { throw KafkaError(err, message: String(cStringBuffer: errstr)) }
        if operationTimeout {
            err = rd_kafka_AdminOptions_set_operation_timeout(options, ms, &errstr, errstr.count)
            if err.isError { throw KafkaError(err, message: String(cStringBuffer: errstr)) }
        }
        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        start(options, queue)
        // librdkafka enforces the request timeout itself; wait a little longer for its answer.
        guard let event = rd_kafka_queue_poll(queue, ms &+ 5000) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, context: "admin request")
        }
        let eventErr = rd_kafka_event_error(event)
        if eventErr.isError {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) }
            rd_kafka_event_destroy(event)
            throw KafkaError(eventErr, message: text)
        }
        return event
    }
}
