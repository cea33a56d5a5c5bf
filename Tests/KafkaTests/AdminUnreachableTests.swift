import Kafka
import Logging
import Testing

@Suite("Admin: a cluster nobody answers for")
struct AdminUnreachableTests {
    @Test("listing topics with no broker listening names bootstrap.servers in the error")
    func namesTheAddress() async throws {
        // Port 1 on loopback: nothing listens there, so every connect is refused at once.
        let admin = try KafkaAdmin(
            configuration: KafkaConfiguration(["bootstrap.servers": "127.0.0.1:1", "log_level": "0"]), logger: Logger(label: "test"))
        defer { admin.shutdown() }
        let error = await #expect(throws: KafkaError.self) { _ = try await admin.listTopics(timeout: .seconds(1)) }
        #expect(error?.message.contains("bootstrap.servers=127.0.0.1:1") == true, "\(String(describing: error))")
    }
}
