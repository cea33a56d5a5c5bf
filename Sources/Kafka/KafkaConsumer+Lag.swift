internal import CRdKafka

extension KafkaConsumer {
    /// Consumer lag per assigned partition, in messages: the high watermark librdkafka
    /// last saw in a fetch response (`rd_kafka_get_watermark_offsets`: cached, no broker
    /// round trip) minus the offset this consumer last committed — or, before its first
    /// commit, its fetch position (`rd_kafka_position`, also local). Partitions not
    /// fetched yet are left out. Cheap enough to sample every few seconds.
    public func lag() async -> [TopicPartition: Int64] {
        let partitions = assignment()
        guard !partitions.isEmpty else { return [:] }
        let committed = committedOffsets()
        let result: [TopicPartition: Int64]? = try? await client.blocking("consumer lag") { handle in
            let positions = RdKafkaTopicPartitionList(partitions)
            _ = positions.withPointer { rd_kafka_position(handle, $0) }
            let position = Dictionary(positions.entries.map { ($0.topicPartition, $0.offset) }) { a, _ in a }
            var lag: [TopicPartition: Int64] = [:]
            for partition in partitions {
                var low: Int64 = 0
                var high: Int64 = 0
                let err = rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
                guard !err.isError, high >= 0 else { continue }
                guard let base = committed[partition] ?? position[partition].flatMap({ $0 >= 0 ? $0 : nil }) else { continue }
                lag[partition] = max(0, high - base)
            }
            return lag
        }
        return result ?? [:]
    }
}
