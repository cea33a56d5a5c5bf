@testable import Baton
import BatonTestSupport
import Foundation
import Kafka
import Logging
import Testing

@Suite("End to end: the outcome ledger against the real broker")
struct OutcomeLedgerTests {
    @Test("a record acknowledged just before a question is seen; later questions read on; questions at once all answered")
    func readsToTheEnd() async throws {
        let stack = try TestStack.current()
        let outcomes = uniqueName("ledger-outcomes"), letters = uniqueName("ledger-dlq")
        let capture = LogCapture()
        var logger = capture.logger(label: "test.ledger")
        logger.logLevel = .info
        let producer = try KafkaProducer(configuration: KafkaConfiguration(["bootstrap.servers": stack.kafkaBootstrapServers]), logger: logger)
        func produce(_ topic: String, _ header: (name: String, source: String)?) async throws {
            _ = try await producer.send(
                topic: topic, key: Array((header?.source ?? UUID().uuidString).utf8), value: Array("{}".utf8),
                headers: header.map { [KafkaHeader(name: $0.name, string: $0.source)] } ?? [])
        }
        let ledger = TopicOutcomeLedger(
            clientProperties: ["bootstrap.servers": stack.kafkaBootstrapServers], topics: [outcomes, letters], logger: logger)
        let written = Date()

        // The topics do not exist yet: nothing recorded.
        #expect(try await !ledger.hasRecord(on: outcomes, from: "jobs/0/1", messageWrittenAt: written))
        try await produce(outcomes, (JobHeaders.source, "jobs/0/1"))
        try await produce(letters, (JobHeaders.deadLetterSource, "jobs/1/5"))
        try await produce(outcomes, nil)  // an outcome of an older worker: it names no source
        try await produce(letters, nil)
        #expect(try await ledger.hasRecord(on: outcomes, from: "jobs/0/1", messageWrittenAt: written))
        #expect(try await ledger.hasRecord(on: letters, from: "jobs/1/5", messageWrittenAt: written))
        #expect(try await !ledger.hasRecord(on: outcomes, from: "jobs/1/5", messageWrittenAt: written), "a dead letter is not an outcome")

        // Read on from where it stopped, to the end after the question.
        try await produce(outcomes, (JobHeaders.source, "jobs/2/9"))
        #expect(try await ledger.hasRecord(on: outcomes, from: "jobs/2/9", messageWrittenAt: written))

        for offset in 0..<20 { try await produce(outcomes, (JobHeaders.source, "jobs/3/\(offset)")) }
        let readsBefore = reads(capture)
        let answers = try await withTimeout(60, "40 questions at once") {
            try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for offset in 0..<40 {
                    group.addTask { (offset, try await ledger.hasRecord(on: outcomes, from: "jobs/3/\(offset)", messageWrittenAt: written)) }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
        }
        #expect(answers.filter(\.value).keys.sorted() == Array(0..<20))
        // Questions asked while a read runs share the next one.
        let shared = reads(capture) - readsBefore
        print("ledger: 40 questions at once took \(shared) reads")
        #expect(shared <= 10, "40 questions took \(shared) reads")
        await producer.shutdown(timeout: .seconds(5))
    }

    func reads(_ capture: LogCapture) -> Int {
        capture.text.components(separatedBy: "looked for earlier runs' outcomes and dead letters").count - 1
    }
}
