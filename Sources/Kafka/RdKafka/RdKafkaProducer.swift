internal import CRdKafka

/// The librdkafka side of `KafkaProducer`: handing messages over, serving reports,
/// flushing and purging.
enum RdKafkaProducer {
    /// Installs the delivery-report callback (`ProducerContext` receives the reports).
    static func installDeliveryCallback(_ conf: OpaquePointer) {
        rd_kafka_conf_set_dr_msg_cb(conf, rdKafkaDeliveryCallback)
    }

    /// Hands `records` to librdkafka in order until it refuses one; message `i` carries
    /// `opaque(i)` to its delivery report. Returns how many it took and why it refused the
    /// next. A topic handle is taken once per run of records to the same topic.
    static func produce(
        handle: OpaquePointer, _ records: ArraySlice<ProducerRecord>, opaque: (Int) -> UInt
    ) -> (accepted: Int, refusal: KafkaError?) {
        var topic: (name: String, handle: OpaquePointer)?
        defer { if let topic { rd_kafka_topic_destroy(topic.handle) } }
        var accepted = 0
        for record in records {
            if topic?.name != record.topic {
                if let topic { rd_kafka_topic_destroy(topic.handle) }
                // nil (an invalid name): produced by name, and refused with librdkafka's reason.
                topic = rd_kafka_topic_new(handle, record.topic, nil).map { (record.topic, $0) }
            }
            if let refusal = produce(
                handle: handle, topicHandle: topic?.handle, id: opaque(accepted), topic: record.topic,
                key: record.key, value: record.value, headers: record.headers, partition: record.partition)
            {
                return (accepted, refusal)
            }
            accepted += 1
        }
        return (accepted, nil)
    }

    /// Hands one message to librdkafka (copied); returns an error if it was not accepted.
    /// `topicHandle`: the topic's handle if the caller holds one (no look-up by name,
    /// which takes librdkafka's client-wide lock), else nil.
    static func produce(
        handle: OpaquePointer,
        topicHandle: OpaquePointer? = nil,
        id: UInt,
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader],
        partition: Int32?
    ) -> KafkaError? {
        var hdrs: OpaquePointer?
        if !headers.isEmpty {
            hdrs = rd_kafka_headers_new(headers.count)
            for header in headers {
                // `withCString`, not the implicit conversion: that copies a name of up to 15
                // bytes (a small string) to the heap first.
                let err: rd_kafka_resp_err_t = header.name.withCString { name in
                    if let value = header.value {
                        value.withUnsafeBytes { bytes in
                            rd_kafka_header_add(hdrs, name, -1, bytes.baseAddress, bytes.count)
                        }
                    } else {
                        rd_kafka_header_add(hdrs, name, -1, nil, 0)
                    }
                }
                if err.isError {
                    rd_kafka_headers_destroy(hdrs)
                    return KafkaError(err, context: "header \"\(header.name)\"")
                }
            }
        }
        let opaque = UnsafeMutableRawPointer(bitPattern: id)
        let error: OpaquePointer? = value.withUnsafeBytes { valueBytes in
            func call(_ keyPointer: UnsafeRawPointer?, _ keyCount: Int) -> OpaquePointer? {
                topic.withCString { topicName in
                    baton_rd_kafka_produce(
                        handle, topicHandle, topicName, partition ?? baton_rd_kafka_partition_ua(),
                        keyPointer, keyCount,
                        valueBytes.count > 0 ? valueBytes.baseAddress : nil, valueBytes.count,
                        hdrs, opaque
                    )
                }
            }
            guard let key else { return call(nil, 0) }
            if key.isEmpty {
                // A non-nil empty key stays a (zero-length) key, not a null key.
                return withUnsafeBytes(of: UInt8(0)) { call($0.baseAddress, 0) }
            }
            return key.withUnsafeBytes { call($0.baseAddress, $0.count) }
        }
        guard let error else { return nil }
        if let hdrs { rd_kafka_headers_destroy(hdrs) }
        return KafkaError(consuming: error, context: "produce to \(topic)")
    }

    /// Serves delivery reports and errors for up to `milliseconds`.
    static func poll(_ handle: OpaquePointer, milliseconds: Int32) {
        rd_kafka_poll(handle, milliseconds)
    }

    /// Waits up to `timeout` for every message handed over to be delivered or failed.
    /// - Throws: `_TIMED_OUT` when messages are still outstanding.
    static func flush(_ handle: OpaquePointer, timeout: Duration) throws(KafkaError) {
        let err = rd_kafka_flush(handle, timeout.milliseconds)
        if err.isError { throw KafkaError(err, context: "flush") }
    }

    /// Asks the broker for `topic`'s partitions and leaders (`rd_kafka_metadata` for one
    /// topic), which librdkafka keeps in its metadata cache.
    /// - Throws: the metadata request's error, e.g. `_TIMED_OUT` after `timeout`.
    static func lookUpMetadata(_ handle: OpaquePointer, topic: String, timeout: Duration) throws(KafkaError) {
        guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else { return }
        defer { rd_kafka_topic_destroy(topicHandle) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 0, topicHandle, &metadata, timeout.milliseconds)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if err.isError { throw KafkaError(err, context: "metadata of \(topic)") }
    }

    /// Messages (and requests) librdkafka still holds.
    static func outstanding(_ handle: OpaquePointer) -> Int32 {
        rd_kafka_outq_len(handle)
    }

    /// Fails every message still queued or in flight (`_PURGE_QUEUE`/`_PURGE_INFLIGHT`)
    /// and serves their delivery reports.
    static func purge(_ handle: OpaquePointer) {
        rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        rd_kafka_poll(handle, 0)
    }
}
