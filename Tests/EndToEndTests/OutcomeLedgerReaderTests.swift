@testable import Baton
import BatonTestSupport
import Foundation
import Kafka
import Logging
import Testing

@Suite("End to end: the outcome ledger's long-lived reader")
struct OutcomeLedgerReaderTests {
    let written = Date()

    @Test("one reader serves later questions: a record acknowledged just before a question is seen; shutdown closes it")
    func oneReader() async throws {
        let (outcomes, letters, producer, ledger) = try await Self.ledgerOverTwoNewTopics(keepOpen: .seconds(600))
        #expect(try await ledger.hasRecord(on: outcomes, from: "jobs/0/1", messageWrittenAt: written))
        #expect(await ledger.readersOpened == 1)
        for offset in 0..<5 {
            try await Self.produce(producer, offset % 2 == 0 ? outcomes : letters, (offset % 2 == 0 ? JobHeaders.source : JobHeaders.deadLetterSource, "jobs/1/\(offset)"))
            #expect(try await ledger.hasRecord(on: offset % 2 == 0 ? outcomes : letters, from: "jobs/1/\(offset)", messageWrittenAt: written))
        }
        #expect(try await !ledger.hasRecord(on: outcomes, from: "jobs/1/99", messageWrittenAt: written))
        #expect(await ledger.readersOpened == 1, "later questions use the open reader")

        await ledger.shutdown()
        #expect(await !ledger.holdsClients, "shutdown closes the reader and the admin client")
        await #expect(throws: JobsError.self, "a question after shutdown fails (the worker answers false)") {
            try await ledger.hasRecord(on: outcomes, from: "jobs/0/1", messageWrittenAt: written)
        }
        await producer.shutdown(timeout: .seconds(5))
    }

    @Test("an idle reader closes; the next question opens one where reading stopped and sees what arrived meanwhile")
    func idleClose() async throws {
        let (outcomes, _, producer, ledger) = try await Self.ledgerOverTwoNewTopics(keepOpen: .seconds(1))
        #expect(try await ledger.hasRecord(on: outcomes, from: "jobs/0/1", messageWrittenAt: written))
        try await eventually(30, "the idle reader closes") { await !ledger.holdsClients }
        try await Self.produce(producer, outcomes, (JobHeaders.source, "jobs/2/7"))
        #expect(try await ledger.hasRecord(on: outcomes, from: "jobs/2/7", messageWrittenAt: written))
        #expect(try await ledger.hasRecord(on: outcomes, from: "jobs/0/1", messageWrittenAt: written), "what was read before is kept")
        #expect(await ledger.readersOpened >= 2, "a reader was opened again")
        #expect(await ledger.startsOver == 1, "it resumed where reading stopped, without a time look-up")
        await ledger.shutdown()
        await producer.shutdown(timeout: .seconds(5))
    }

    @Test("a broker that cannot be read: the question fails within the ledger's timeout instead of waiting")
    func unreadable() async throws {
        let port = try ToolProcesses.freePort()
        let ledger = TopicOutcomeLedger(
            clientProperties: ["bootstrap.servers": "127.0.0.1:\(port)"], topics: ["outcomes", "dlq"],
            timeout: .seconds(1), logger: Logger(label: "test.ledger"))
        let written = self.written
        // The limit here is far above the ledger's own (1 s): it only bounds the test.
        let answer = try await withTimeout(30, "a question to a broker that cannot be read") { () -> Result<Bool, any Error> in
            do { return .success(try await ledger.hasRecord(on: "outcomes", from: "jobs/0/1", messageWrittenAt: written)) } catch { return .failure(error) }
        }
        guard case .failure = answer else {
            Issue.record("expected the look-up to fail, got \(answer)")
            return
        }
        await ledger.shutdown()
        #expect(await !ledger.holdsClients)
    }

    /// Two new topics, for outcomes and dead letters, with one record each (`jobs/0/1`'s
    /// outcome and a dead letter naming no source), a producer for more, and a ledger over them.
    static func ledgerOverTwoNewTopics(keepOpen: Duration) async throws -> (String, String, KafkaProducer, TopicOutcomeLedger) {
        let stack = try TestStack.current()
        let (outcomes, letters) = (uniqueName("ledger-outcomes"), uniqueName("ledger-dlq"))
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": stack.kafkaBootstrapServers]), logger: Logger(label: "test.ledger"))
        try await produce(producer, outcomes, (JobHeaders.source, "jobs/0/1"))
        try await produce(producer, letters, nil)
        let ledger = TopicOutcomeLedger(
            clientProperties: ["bootstrap.servers": stack.kafkaBootstrapServers], topics: [outcomes, letters],
            keepOpen: keepOpen, logger: Logger(label: "test.ledger"))
        return (outcomes, letters, producer, ledger)
    }

    static func produce(_ producer: KafkaProducer, _ topic: String, _ header: (name: String, source: String)?) async throws {
        _ = try await producer.send(
            topic: topic, key: Array((header?.source ?? UUID().uuidString).utf8), value: Array("{}".utf8),
            headers: header.map { [KafkaHeader(name: $0.name, string: $0.source)] } ?? [])
    }
}
