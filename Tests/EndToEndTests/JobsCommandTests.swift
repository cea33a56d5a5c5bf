import Baton
import BatonTestSupport
import Foundation
import Kafka
import Synchronization
import Testing

/// `baton jobs` reads the topics from the beginning to each partition's EOF event: no
/// offset look-up, so Tansu's approximate ones do not matter.
@Suite("End to end: baton jobs")
struct JobsCommandTests {
    @Test("jobs list: the newest envelope of each job without an outcome after it; stage filter; --json parsed")
    func listInFlight() async throws {
        let harness = try await EndToEndHarness("jobs-list")
        defer { Task { await harness.stop() } }
        let configuration = try await harness.configuration()
        let ids = try await harness.publish(["a.csv", "b.csv", "c.csv"])
        // b has finished (an outcome after its message); c moved on (a newer message).
        let published = try await harness.jobMessages(atLeast: 3)
        let c = try #require(published.first { $0.key == Array(ids[2].utf8) })
        var moved = try #require(c.envelope)
        moved.stage = .awaitUpload
        moved.birst.uploadToken = "token"
        moved.slices = 2
        moved.retriesLeft -= 2
        moved.notBefore = Date().addingTimeInterval(600)
        let records = JobRecords(topics: configuration.topics, workerID: "worker-7")
        let continuation = records.continuation(moved, input: c, reason: .backoff)
        try await send(harness, continuation, partition: c.partition)
        let b = try #require(published.first { $0.key == Array(ids[1].utf8) })
        let outcome = OutcomeRecord(envelope: try #require(b.envelope), result: JobResult(status: .completed), worker: "worker-7")
        try await send(harness, records.outcome(outcome), partition: 0)

        let jobs = try await harness.jobsReader().inFlight()
        #expect(jobs.map(\.jobId).sorted() == [ids[0], ids[2]].sorted())
        let cJob = try #require(jobs.first { $0.jobId == ids[2] })
        #expect(cJob.stage == .awaitUpload && cJob.slices == 2 && cJob.lastWorker == "worker-7" && cJob.handoff == "backoff")
        #expect(cJob.notBefore != nil)
        #expect(cJob.report == "s3://\(harness.bucket)/c.csv")

        let cli = try await harness.runBaton(["jobs", "list", "--json"])
        #expect(cli.status == 0, "\(cli.output)")
        let listed = try cli.output.split(separator: "\n").map { try OperatorJSON.decode(InFlightJob.self, from: String($0)) }
        #expect(Set(listed.map(\.jobId)) == [ids[0], ids[2]])
        #expect(listed.first { $0.jobId == ids[0] }?.stage == .upload)
        #expect(listed.first { $0.jobId == ids[0] }?.lastWorker == nil)

        let filtered = try await harness.runBaton(["jobs", "list", "--stage", "awaitUpload"])
        #expect(filtered.status == 0)
        #expect(filtered.output.contains(ids[2]) && !filtered.output.contains(ids[0]), "\(filtered.output)")
        #expect(filtered.output.contains("1 job in flight"))
        let none = try await harness.runBaton(["jobs", "list", "--older-than", "1h"])
        #expect(none.output.contains("no jobs in flight"), "\(none.output)")

        let show = try await harness.runBaton(["jobs", "show", ids[1]])
        #expect(show.status == 0)
        #expect(show.output.contains("job \(ids[1]): 2 records, finished"), "\(show.output)")
        #expect(show.output.contains("\(configuration.topics.outcomes.name)/0@"))
    }

    @Test("jobs list/show: a job whose webhook failed is finished once the workers commit past its notify retry, whether the retry delivered or gave up (notify.maxAttempts)")
    func notifyRetriesEnd() async throws {
        // never.csv's webhook always fails (given up at the second attempt); later.csv's
        // fails once, then takes the outcome. Each job: its outcome, then one notify retry.
        let calls = CallCounts()
        let receiver = WebhookReceiver { _, body in
            let report = body.contains("never.csv") ? "never" : "later"
            let call = calls.counts.withLock { $0[report, default: 0] += 1; return $0[report]! }
            return report == "never" || call == 1
        }
        try await receiver.run { hook in
            let harness = try await EndToEndHarness("jobs-notify", settings: ["notify.webhook": hook, "notify.maxAttempts": "2"])
            defer { Task { await harness.stop() } }
            try await harness.putReport("never.csv", size: 10_000)
            try await harness.putReport("later.csv", size: 10_000)
            let worker = try await harness.startWorker()
            let ids = try await harness.publish(["never.csv", "later.csv"])
            let messages = try await harness.jobMessages(atLeast: 4, within: 60) { messages in
                Set(messages.filter { $0.headerString(JobHeaders.handoff) == "notify-retry" }.compactMap(\.key)).count == 2
            }
            let retries = messages.filter { $0.headerString(JobHeaders.handoff) == "notify-retry" }
            #expect(retries.count == 2, "one notify retry per job")
            // The retry's slice ends (delivered, or given up) without writing anything; the
            // workers then commit past it, and nothing newer about the job follows.
            try await eventually(30, "the workers to commit past both notify retries") {
                let committed = try await harness.committedJobOffsets()
                return retries.allSatisfy { retry in (committed[retry.topicPartition] ?? nil).map { $0 > retry.offset } ?? false }
            }
            try await worker.stop()
            #expect(calls.counts.withLock { $0 } == ["never": 2, "later": 2], "never.csv given up after 2 attempts; later.csv delivered at its second")
            #expect(receiver.received.withLock { $0 }.count == 1)
            #expect(try await harness.allOutcomes().count == 2, "one outcome per job, recorded before the notifications")

            let list = try await harness.runBaton(["jobs", "list", "--json"])
            #expect(list.status == 0, "\(list.output)")
            #expect(!list.output.contains(ids[0]) && !list.output.contains(ids[1]), "finished jobs listed in flight: \(list.output)")
            let table = try await harness.runBaton(["jobs", "list"])
            #expect(table.output.contains("no jobs in flight"), "\(table.output)")
            for id in ids {
                let show = try await harness.runBaton(["jobs", "show", id])
                #expect(show.status == 0, "\(show.output)")
                #expect(show.output.contains("job \(id): ") && show.output.contains(" records, finished"), "\(show.output)")
            }
        }
    }

    @Test("jobs list/show: a notify retry not yet run shows notifications pending with its outcome; where the group committed nothing a note says only outcomes decided")
    func notificationsPending() async throws {
        let harness = try await EndToEndHarness("jobs-pending")
        defer { Task { await harness.stop() } }
        let configuration = try await harness.configuration()
        let ids = try await harness.publish(["p.csv"])
        let message = try #require(try await harness.jobMessages(atLeast: 1).first)
        // What a notify slice of `message` writes when the webhook fails: the outcome
        // (naming `message`), then the notify retry. No worker runs: nothing is committed.
        var job = try #require(message.envelope)
        job.stage = .notify
        job.slices = 6
        var result = JobResult(status: .completed)
        result.outcomeRecorded = true
        job.result = result
        let records = JobRecords(topics: configuration.topics, workerID: "worker-7")
        try await send(harness, records.outcome(OutcomeRecord(envelope: job, result: result, worker: "worker-7"), input: message), partition: 0)
        try await send(harness, records.continuation(job, input: message, reason: .notifyRetry), partition: message.partition)

        let jobs = try await harness.jobsReader().inFlight()
        #expect(jobs.map(\.jobId) == ids)
        #expect(jobs.first?.state == .notificationsPending && jobs.first?.outcomeStatus == "completed" && jobs.first?.handoff == "notify-retry")
        let list = try await harness.runBaton(["jobs", "list"])
        #expect(list.output.contains("notifications pending (outcome completed)") && list.output.contains("1 job in flight"), "\(list.output)")
        let notes = try String(contentsOfFile: harness.directory + "/baton-stderr.log", encoding: .utf8)
        #expect(notes.contains("group \(configuration.kafka.groupID) (kafka.groupId) has committed nothing on partition \(message.partition) of the jobs topic"), "\(notes)")
        let show = try await harness.runBaton(["jobs", "show", ids[0], "--json"])
        let view = try OperatorJSON.decode(HistoryView.self, from: try #require(show.output.split(separator: "\n").last.map(String.init)))
        #expect(view.inFlight && view.state == .notificationsPending, "\(show.output)")
        #expect(view.history.first { $0.kind == .outcome }?.source == JobRecords.position(of: message))
    }

    private func send(_ harness: EndToEndHarness, _ record: OutgoingRecord, partition: Int32) async throws {
        let configuration = try await harness.configuration()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(configuration.kafka.producerProperties), logger: harness.logger)
        _ = try await producer.send(topic: record.topic, key: record.key, value: record.value, headers: record.headers, partition: partition)
        await producer.shutdown(timeout: .seconds(5))
    }
}

/// Webhook calls per report.
private final class CallCounts: Sendable {
    let counts = Mutex<[String: Int]>([:])
}
