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
            RdKafkaConsumer.lag(handle, partitions, committed: committed)
        }
        return result ?? [:]
    }
}
