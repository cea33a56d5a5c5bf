import struct Foundation.Date
internal import CRdKafka

extension KafkaMessage {
    /// Copies a consumed message out of librdkafka's memory; its topic and header names come
    /// from `names`.
    init(copying m: UnsafePointer<rd_kafka_message_t>, names: inout NameCache) {
        let message = m.pointee
        let topic = message.rkt.map { names.name(rd_kafka_topic_name($0)) } ?? ""
        let key = message.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: message.key_len)) }
        let value = message.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: message.len)) } ?? []

        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(m, &timestampType)
        let timestamp: Date? =
            timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || milliseconds < 0
            ? nil : Date(timeIntervalSince1970: Double(milliseconds) / 1000)

        var headers: [KafkaHeader] = []
        var hdrs: OpaquePointer?
        if rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            // One allocation for the list, not one per doubling (a dead letter has six).
            headers.reserveCapacity(rd_kafka_header_cnt(hdrs))
            var index = 0
            var name: UnsafePointer<CChar>?
            var valuePointer: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(hdrs, index, &name, &valuePointer, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(
                    KafkaHeader(
                        name: name.map { names.name($0) } ?? "",
                        value: valuePointer.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) }
                    )
                )
                index += 1
            }
        }

        self.init(
            topic: topic,
            partition: message.partition,
            offset: message.offset,
            key: key,
            value: value,
            headers: headers,
            timestamp: timestamp
        )
    }
}
