import StackTestSupport
import Kafka
import Logging
import Testing

@Suite("Producer: fatal errors, on librdkafka's mock cluster")
struct ProducerFatalErrorTests {
    static let producerFenced: Int32 = 90

    @Test("a fenced idempotent producer fails every send as fatal, at once, instead of retrying")
    func fenced() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("jobs", partitions: 1)
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": cluster.bootstrapServers, "linger.ms": "0"]),
            logger: Logger(label: "test")
        )
        _ = try await producer.send(topic: "jobs", key: Array("a".utf8), value: Array("ok".utf8))

        cluster.failRequests(.produce, with: Self.producerFenced, count: 50)
        let failure = await #expect(throws: KafkaError.self) {
            _ = try await producer.send(topic: "jobs", key: Array("a".utf8), value: Array("fenced".utf8))
        }
        #expect(failure?.isFatal == true, "\(String(describing: failure))")
        let later = await #expect(throws: KafkaError.self) {
            _ = try await producer.send(topic: "jobs", key: Array("b".utf8), value: Array("after".utf8))
        }
        #expect(later?.isFatal == true, "the producer stays failed: \(String(describing: later))")
        await producer.shutdown(timeout: .seconds(2))
    }
}
