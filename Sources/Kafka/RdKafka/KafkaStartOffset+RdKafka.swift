internal import CRdKafka

/// A start offset as librdkafka spells it (its logical offsets are negative).
extension KafkaStartOffset {
    var rawOffset: Int64 {
        switch self {
        case .beginning: Int64(RD_KAFKA_OFFSET_BEGINNING)
        case .end: Int64(RD_KAFKA_OFFSET_END)
        case .committed: Int64(RD_KAFKA_OFFSET_STORED)
        case .offset(let offset): offset
        }
    }
}
