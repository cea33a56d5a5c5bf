import Baton
import Logging
import S3Events
import Synchronization
import Testing

@Suite("Publishing jobs")
struct JobPublisherTests {
    /// Acknowledges every record except those whose key is in `refused`.
    final class Sink: RecordSink {
        let refused: Set<String>
        let sent = Mutex<[String]>([])
        struct Refusal: Error, CustomStringConvertible { var description: String { "broker gone" } }

        init(refusing refused: Set<String>) { self.refused = refused }

        func send(_ record: OutgoingRecord) async throws {
            let key = String(decoding: record.key ?? [], as: UTF8.self)
            if refused.contains(key) { throw Refusal() }
            sent.withLock { $0.append(key) }
        }
    }

    func publisher(_ sink: Sink) async throws -> JobPublisher {
        let configuration = try await BatonConfiguration.load(ConfigSources(environment: [:], usesDefaultFile: false))
        let routes = try RouteTable.parse("""
            routes:
              - name: all
                bucket: reports
                spaceId: space-a
                sourceName: a
            """)
        var logger = Logger(label: "test.publisher")
        logger.logLevel = .critical
        return JobPublisher(
            factory: JobFactory(routes: routes, retries: 5),
            records: JobRecords(topics: configuration.topics, workerID: "test"),
            sink: sink, logger: logger)
    }

    @Test("a record the broker does not acknowledge: the error says which were published and which not")
    func incomplete() async throws {
        let events = ["a.csv", "b.csv", "c.csv"].map { S3ObjectEvent(bucket: "reports", key: $0, sequencer: "1") }
        let ids = events.map { JobID.derive(for: $0) }
        let sink = Sink(refusing: [ids[1]])
        let error = await #expect(throws: JobPublisher.Incomplete.self) {
            _ = try await publisher(sink).publish(events)
        }
        #expect(error?.published.map(\.event.key) == ["a.csv", "c.csv"])
        #expect(error?.unconfirmed.map(\.event.key) == ["b.csv"])
        #expect(error?.unconfirmed.map(\.made.jobId) == [ids[1]])
        #expect(error?.description.contains("1 of 3 records not acknowledged by the broker: broker gone") == true)
        #expect(Set(sink.sent.withLock { $0 }) == [ids[0], ids[2]], "every record was tried")
    }

    @Test("every record acknowledged: all are returned, in the order of the events")
    func complete() async throws {
        let events = ["a.csv", "b.csv"].map { S3ObjectEvent(bucket: "reports", key: $0, sequencer: "1") }
        let published = try await publisher(Sink(refusing: [])).publish(events)
        #expect(published.map(\.event.key) == ["a.csv", "b.csv"])
    }
}
