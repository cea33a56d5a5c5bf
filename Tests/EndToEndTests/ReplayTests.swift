import Baton
import BatonTestSupport
import Foundation
import Kafka
import Testing

/// `baton replay` against the local stack. Tansu answers every offsets-for-times look-up
/// with 0 and approximates watermarks: the replayer takes both as hints only (it reads
/// from the hint and filters by each record's own offset and timestamp, and stops at the
/// partition's EOF event), so these tests hold there as on Apache Kafka — reading more.
@Suite("End to end: baton replay")
struct ReplayTests {
    @Test("dead letters selected by --error-kind, replayed with --reset-retries: dry run writes nothing, the CLI copies one, the worker completes it")
    func deadLettersBackToWork() async throws {
        let harness = try await EndToEndHarness("replay-dlq")
        defer { Task { await harness.stop() } }
        let configuration = try await harness.configuration()
        try await harness.putReport("slow.csv", size: 50_000)
        let worker = try await harness.startWorker()
        // One retry: the publish (7 s) outlasts it, so the job is dead-lettered as retries-exhausted.
        let slow = try #require(try await harness.publish(["slow.csv"], retries: 1).first)
        // No such object: dead-lettered as s3-missing.
        let missing = try #require(try await harness.publish(["missing.csv"]).first)
        let letters = try await harness.deadLetters(2, within: 60)
        _ = try await harness.outcomes(2, within: 30)
        #expect(Set(letters.compactMap { $0.headerString(JobHeaders.errorKind) }) == ["retries-exhausted", "s3-missing"])

        // Dry run: counts, the first job ids, and nothing written.
        let plan = ReplayPlan(
            source: configuration.topics.deadLetters.name, destination: configuration.topics.jobs.name,
            selection: ReplaySelection(errorKinds: ["retries-exhausted"]), rewrite: ReplayRewrite(resetRetries: 20), dryRun: true)
        let dry = try await harness.replayer().run(plan)
        #expect(dry.scanned == 2 && dry.selected == 1 && dry.copied == 1)
        #expect(dry.copiedPerPartition == [0: 1])
        #expect(dry.copiedPerErrorKind == ["retries-exhausted": 1])
        #expect(dry.firstJobIds == [slow])
        let dryCLI = try await harness.runBaton(["replay", "--error-kind", "retries-exhausted", "--reset-retries", "20", "--dry-run"])
        #expect(dryCLI.status == 0, "\(dryCLI.output)")
        #expect(dryCLI.output.contains("would copy 1 of 1 selected records (2 read)"), "\(dryCLI.output)")
        #expect(dryCLI.output.contains("(dry run; nothing produced)"), "\(dryCLI.output)")
        // Progress goes to standard error: its last line, too, says what would be copied.
        let progress = try String(contentsOfFile: harness.directory + "/baton-stderr.log", encoding: .utf8)
        #expect(progress.contains("replay (dry run, nothing produced): read 2") && progress.contains(", selected 1, would copy 1, refused 0"), "\(progress)")
        #expect(!progress.contains("copied") && !dryCLI.output.contains("copied"), "a dry run copies nothing: \(progress)\n\(dryCLI.output)")
        #expect(dryCLI.output.contains("error kind retries-exhausted: 1"))
        #expect(dryCLI.output.contains("first job ids: \(slow)"))
        let jobsTopic = configuration.topics.jobs.name
        #expect(try await harness.readToEnd(jobsTopic, partitions: 3).allSatisfy { $0.header(JobHeaders.replayedFrom) == nil }, "a dry run writes nothing")

        // The real thing, through the CLI.
        let run = try await harness.runBaton(["replay", "--error-kind", "retries-exhausted", "--reset-retries", "20", "--json"])
        #expect(run.status == 0, "\(run.output)")
        let report = try #require(run.output.split(separator: "\n").last.map(String.init))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        #expect(json["copied"] as? Int == 1)
        #expect(json["interrupted"] as? Bool == false)

        // The worker runs the copy as a new lineage and completes the job.
        let outcomes = try await harness.outcomes(3, within: 60)
        try await worker.stop()
        #expect(outcomes.filter { $0.jobId == slow }.map(\.status) == [.deadLettered, .completed])
        #expect(outcomes.filter { $0.jobId == missing }.map(\.status) == [.deadLettered], "s3-missing was not selected")
        let copy = try #require(try await harness.readToEnd(jobsTopic, partitions: 3).first { $0.header(JobHeaders.replayedFrom) != nil })
        #expect(copy.headerString(JobHeaders.replays) == "1")
        #expect(copy.headerString(JobHeaders.replayedFrom) == "\(letters.first { $0.key == Array(slow.utf8) }!.topicPartition)/\(letters.first { $0.key == Array(slow.utf8) }!.offset)")
        #expect(copy.header(JobHeaders.errorKind) == nil && copy.header(JobHeaders.error) == nil)
        #expect(copy.envelope?.retriesLeft == 20)

        // --max-replays: every message of the replayed lineage carries baton-replays 1 and is refused.
        let again = try await harness.replayer().run(ReplayPlan(
            source: jobsTopic, destination: jobsTopic, selection: ReplaySelection(jobIds: [slow]),
            rewrite: ReplayRewrite(maxReplays: 1), dryRun: true))
        let lineage = try await harness.readToEnd(jobsTopic, partitions: 3).filter { $0.key == Array(slow.utf8) }
        let replayed = lineage.filter { $0.headerString(JobHeaders.replays) == "1" }.count
        #expect(replayed >= 2, "the copy and its continuations carry the counter")
        #expect(again.refused[.maxReplays] == replayed)
        #expect(again.copied == lineage.count - replayed)

        // baton jobs show: the whole history, as JSON.
        let show = try await harness.runBaton(["jobs", "show", slow, "--json"])
        #expect(show.status == 0, "\(show.output)")
        let history = try OperatorJSON.decode(HistoryView.self, from: try #require(show.output.split(separator: "\n").last.map(String.init)))
        #expect(history.jobId == slow)
        #expect(history.inFlight == false && history.state == .finished)
        let kinds = history.history.map(\.kind)
        #expect(kinds.first == .new)
        #expect(kinds.contains(.continuation))
        #expect(kinds.filter { $0 == .deadLetter }.count == 1)
        #expect(kinds.filter { $0 == .replay }.count == 1)
        #expect(kinds.filter { $0 == .outcome }.count == 2)
        #expect(kinds.last == .outcome && history.history.last?.status == "completed")
        #expect(history.history.firstIndex(of: history.history.first { $0.kind == .replay }!)! > kinds.firstIndex(of: .deadLetter)!)
        #expect(history.history.allSatisfy { $0.timestamp != nil })
    }

    @Test("--partition/--from-offset/--to-offset copies exactly that range, bytes and keys unchanged; --since/--until select by record timestamps")
    func offsetRange() async throws {
        let harness = try await EndToEndHarness("replay-range")
        defer { Task { await harness.stop() } }
        let source = harness.name + ".source"
        let destination = harness.name + ".copy"
        try await harness.createTopic(source, partitions: 1)
        try await harness.createTopic(destination, partitions: 1)
        try await harness.produce(source, (0..<30).map { i in
            (key: "job-\(i)", value: Array("value \(i) \u{0}\u{1}".utf8), headers: [KafkaHeader(name: "h", string: "\(i)")])
        })
        let summary = try await harness.replayer().run(ReplayPlan(
            source: source, destination: destination, selection: ReplaySelection(partitions: [0], fromOffset: 5, toOffset: 14)))
        #expect(summary.copied == 10 && summary.interrupted == false && summary.failure == nil)
        let copies = try await harness.readToEnd(destination, partitions: 1)
        #expect(copies.map { $0.headerString(JobHeaders.replayedFrom) } == (5...14).map { "\(source)/0/\($0)" })
        #expect(copies.map { $0.key.map { String(decoding: $0, as: UTF8.self) } } == (5...14).map { "job-\($0)" })
        #expect(copies.map(\.value) == (5...14).map { Array("value \($0) \u{0}\u{1}".utf8) })
        #expect(copies.map { $0.headerString("h") } == (5...14).map { "\($0)" })

        // --since/--until by the records' own timestamps (Tansu's offsets-for-times answers 0:
        // the whole partition is read and filtered).
        let stamps = try await harness.readToEnd(source, partitions: 1).compactMap(\.timestamp)
        let last = try #require(stamps.max())
        let boundary = last.addingTimeInterval(0.001)
        while Date() <= boundary.addingTimeInterval(0.001) { await Task.yield() }
        try await harness.produce(source, (30..<35).map { (key: "job-\($0)", value: Array("late \($0)".utf8), headers: []) })
        let timed = harness.name + ".timed"
        try await harness.createTopic(timed, partitions: 1)
        let since = try await harness.replayer().run(ReplayPlan(
            source: source, destination: timed, selection: ReplaySelection(since: boundary)))
        // Apache Kafka starts at offset 30 (5 read); Tansu answers 0 for every time (35 read).
        #expect(since.copied == 5 && (5...35).contains(since.scanned), "read \(since.scanned), copied \(since.copied)")
        let until = try await harness.replayer().run(ReplayPlan(
            source: source, destination: timed, selection: ReplaySelection(until: last), dryRun: true))
        #expect(until.copied == 30)
        #expect(try await harness.readToEnd(timed, partitions: 1).compactMap { $0.headerString(JobHeaders.replayedFrom) }
            == (30..<35).map { "\(source)/0/\($0)" })

        let none = try await harness.replayer().run(ReplayPlan(
            source: source, destination: destination, selection: ReplaySelection(since: Date().addingTimeInterval(3600))))
        #expect(none.copied == 0 && none.selected == 0)
        #expect(try await harness.readToEnd(destination, partitions: 1).count == 10)
    }

    @Test("a start past a partition's end (--from-offset, --resume) reads to the end and copies nothing; one inside copies the rest")
    func startPastTheEnd() async throws {
        let harness = try await EndToEndHarness("replay-past-end")
        defer { Task { await harness.stop() } }
        let source = harness.name + ".source"
        let destination = harness.name + ".copy"
        try await harness.createTopic(source, partitions: 2)
        try await harness.createTopic(destination, partitions: 2)
        // Five records on partition 0, none on partition 1.
        try await harness.produce(source, (0..<5).map { (key: "job-\($0)", value: Array("v\($0)".utf8), headers: []) })
        let replayer = try await harness.replayer()
        // Before the fix these runs waited for ever for the end of the partition.
        let beyond = try await withTimeout(30, "a replay from past the end") {
            try await replayer.run(ReplayPlan(
                source: source, destination: destination, selection: ReplaySelection(partitions: [0], fromOffset: 7, toOffset: 9)))
        }
        #expect(beyond.copied == 0 && beyond.scanned == 0 && beyond.interrupted == false && beyond.failure == nil)
        let positions = try ReplayPositions(parsing: "\(source)/0:8,\(source)/1:3")
        let resumed = try await withTimeout(30, "a replay resumed past the end") {
            try await replayer.run(ReplayPlan(source: source, destination: destination, selection: ReplaySelection(), resume: positions))
        }
        #expect(resumed.copied == 0 && resumed.interrupted == false && resumed.failure == nil)
        let inside = try await harness.replayer().run(ReplayPlan(
            source: source, destination: destination, selection: ReplaySelection(),
            resume: try ReplayPositions(parsing: "\(source)/0:2")))
        #expect(inside.copied == 2)
        // Copies keep their keys, so they spread over the destination's partitions: compare as a set.
        let copies = try await harness.readToEnd(destination, partitions: 2).compactMap { $0.headerString(JobHeaders.replayedFrom) }
        #expect(copies.sorted() == (3..<5).map { "\(source)/0/\($0)" }, "\(copies)")
    }

    @Test("a run stopped after 12 copies prints its positions; resumed with them, it copies the rest and no duplicates")
    func resumeWithoutDuplicates() async throws {
        let harness = try await EndToEndHarness("replay-resume")
        defer { Task { await harness.stop() } }
        let source = harness.name + ".source"
        let destination = harness.name + ".copy"
        try await harness.createTopic(source, partitions: 1)
        try await harness.createTopic(destination, partitions: 1)
        try await harness.produce(source, (0..<30).map { (key: "job-\($0)", value: Array("v\($0)".utf8), headers: []) })

        let plan = ReplayPlan(source: source, destination: destination, selection: ReplaySelection(keyPrefix: "job-"), limit: 12, maxInFlight: 5)
        let first = try await harness.replayer().run(plan)
        #expect(first.interrupted)
        #expect(first.copied == 12)
        #expect(first.positions.description == "\(source)/0:11")

        var resumed = plan
        resumed.limit = nil
        resumed.resume = try ReplayPositions(parsing: first.positions.description)
        let second = try await harness.replayer().run(resumed)
        #expect(!second.interrupted)
        #expect(second.copied == 18)
        #expect(second.positions.description == "\(source)/0:29")

        let copies = try await harness.readToEnd(destination, partitions: 1)
        #expect(copies.compactMap { $0.headerString(JobHeaders.replayedFrom) } == (0..<30).map { "\(source)/0/\($0)" })
        #expect(Set(copies.compactMap { $0.headerString(JobHeaders.replayRun) }).count == 2, "two runs")
    }

    @Test("the CLI interrupted by SIGINT prints --resume; the same command with it copies the rest, each record exactly once")
    func interruptedCLI() async throws {
        let harness = try await EndToEndHarness("replay-sigint")
        defer { Task { await harness.stop() } }
        let source = harness.name + ".source"
        let destination = harness.name + ".copy"
        try await harness.createTopic(source, partitions: 1)
        try await harness.createTopic(destination, partitions: 1)
        try await harness.produce(source, (0..<60).map { (key: "job-\($0)", value: Array("v\($0)".utf8), headers: []) })
        let arguments = ["replay", "--from", source, "--to", destination, "--all", "--rate", "2/s"]

        let (process, outputPath) = try harness.spawnBaton(arguments)
        do {
            try await eventually(30, "the first copies") { try await harness.readToEnd(destination, partitions: 1).count >= 3 }
        } catch {
            process.kill()
            throw error
        }
        process.signal(SIGINT)
        let status = try await process.wait(timeout: .seconds(20))
        let output = try String(contentsOfFile: outputPath, encoding: .utf8)
        #expect(status == 130, "\(output)")
        let match = try #require(output.firstMatch(of: /continue with: --resume '([^']+)'/), "\(output)")
        let resume = String(match.output.1)
        let stoppedAt = try #require(try ReplayPositions(parsing: resume).offsets[TopicPartition(topic: source, partition: 0)])
        #expect(stoppedAt < 59, "interrupted before the end")
        #expect(try await harness.readToEnd(destination, partitions: 1).count == Int(stoppedAt) + 1, "everything handled was copied, nothing more")

        let rest = try await harness.runBaton(arguments.dropLast(2) + ["--resume", resume])
        #expect(rest.status == 0, "\(rest.output)")
        #expect(rest.output.contains("copied \(59 - stoppedAt) of \(59 - stoppedAt) selected records"), "\(rest.output)")
        let copies = try await harness.readToEnd(destination, partitions: 1)
        #expect(copies.compactMap { $0.headerString(JobHeaders.replayedFrom) } == (0..<60).map { "\(source)/0/\($0)" })
    }

    @Test("a time range of a topic replayed onto itself stops where its own copies begin")
    func ontoItself() async throws {
        let harness = try await EndToEndHarness("replay-self")
        defer { Task { await harness.stop() } }
        let topic = harness.name + ".self"
        try await harness.createTopic(topic, partitions: 1)
        let before = Date().addingTimeInterval(-1)
        try await harness.produce(topic, (0..<20).map { (key: "job-\($0)", value: Array("v\($0)".utf8), headers: []) })
        let summary = try await withTimeout(30, "the replay onto itself") {
            try await harness.replayer().run(ReplayPlan(source: topic, destination: topic, selection: ReplaySelection(since: before)))
        }
        #expect(summary.copied == 20 && summary.scanned == 20, "its own copies are neither read as input nor copied again")
        let all = try await harness.readToEnd(topic, partitions: 1)
        #expect(all.count == 40)
    }
}

/// `baton jobs show --json` as a script reads it.
struct HistoryView: Decodable {
    var jobId: String
    var inFlight: Bool
    var state: JobState
    var history: [JobHistoryEntry]
}
