import Baton
import BirstSimulator
import Curl
import Foundation
import Kafka
import Logging
import S3Events
import Synchronization

/// §5 reports published with `JobPublisher` and carried through every stage by two
/// in-process `WorkerService`s against the simulator (near-zero Birst job durations), timed
/// from the first publish to the last outcome's `finishedAt`.
struct EndToEndBenchmark {
    let context: BenchContext
    private var plan: Plan { context.plan }
    static let workers = 2

    func run() async throws -> [Figure] {
        let logFile = context.logDirectory + "/e2e-workers.log"
        let rounds = try await measure(tag: "e2e", logLevel: .info, logFile: logFile)
        // The same with the workers logging only warnings: what info-level logging costs.
        let quiet = try await measure(tag: "e2e-quiet", logLevel: .warning, logFile: logFile)

        let count = plan.endToEndReports
        let section = "5 End to end"
        return [
            Figure(section, "\(count) reports x \(plan.reportBytes / 1000) KB, \(Self.workers) in-process workers (concurrency \(plan.endToEndConcurrency)), publish → last outcome", "jobs/min",
                rounds.map { Double($0.records.count) / $0.elapsed * 60 }),
            Figure(section, "  slices (slice budget 2 s, Birst polls every 50 ms)", "slices/s",
                rounds.map { Double($0.slices) / $0.elapsed }),
            Figure(section, "  slices per job (mean)", "slices", rounds.map { Double($0.slices) / Double($0.records.count) }),
            Figure(section, "  job latency p50 (created → finished)", "s",
                rounds.map { Stats.percentile($0.records.map(\.timings.totalSeconds), 50) }),
            Figure(section, "  job latency p99", "s", rounds.map { Stats.percentile($0.records.map(\.timings.totalSeconds), 99) }),
            Figure(section, "  queued before the first slice p50 (publish → first fetch)", "s",
                rounds.map { Stats.percentile($0.records.compactMap(\.timings.queuedSeconds), 50) }),
            Figure(section, "the same with worker logs at warning instead of info (comparison)", "jobs/min",
                quiet.map { Double($0.records.count) / $0.elapsed * 60 }),
        ]
    }

    /// One set of rounds with fresh topics, group and workers. The workers log JSON lines
    /// at `logLevel` (info is the product's default) into `logFile`.
    private func measure(tag: String, logLevel: Logger.Level, logFile: String) async throws -> [Round] {
        if !FileManager.default.fileExists(atPath: logFile) {
            _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        }
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        try logHandle.seekToEnd()
        defer { try? logHandle.close() }
        let sink = LogSink { logHandle.write($0) }
        let workerLogger = Logger(label: "baton.worker") { JSONLogHandler(label: $0, level: logLevel, sink: sink) }

        // Birst jobs take 0.01 s of simulated time at time scale 1.
        var simulatorConfiguration = SimulatorConfiguration(timeScale: 1)
        simulatorConfiguration.settings.uploadJob.durationSeconds = 0.01
        simulatorConfiguration.settings.publishJob.durationSeconds = 0.01
        let simulator = BirstSimulator(configuration: simulatorConfiguration, logger: context.logger)
        let port = try await simulator.start()
        let http = CurlClient(logger: context.logger)
        do {
            let rounds = try await measure(tag: tag, logLevel: logLevel, logger: workerLogger, birstPort: port, http: http)
            http.shutdown()
            await simulator.stop()
            return rounds
        } catch {
            http.shutdown()
            await simulator.stop()
            throw error
        }
    }

    private func measure(tag: String, logLevel: Logger.Level, logger workerLogger: Logger, birstPort port: Int, http: CurlClient) async throws -> [Round] {
        let s3 = S3Client(configuration: context.stack.s3Configuration, http: http)
        let bucket = context.name(tag)
        try await s3.createBucket(bucket)

        let directory = NSTemporaryDirectory() + context.name(tag)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let routes = directory + "/routes.yaml"
        try """
            routes:
              - name: bench
                bucket: "\(bucket)"
                key: "**"
                spaceId: "space-{stem}"
                sourceName: "{stem}"
            """.write(toFile: routes, atomically: true, encoding: .utf8)
        let configuration = try await context.configuration([
            "topics.prefix": context.name(tag) + ".",
            "kafka.groupId": context.name("\(tag)-workers"),
            "worker.sliceBudget": "2s",
            "worker.safetyMargin": "300ms",
            "worker.concurrency": String(plan.endToEndConcurrency),
            "worker.backoffInitial": "100ms",
            "worker.backoffMax": "500ms",
            "worker.shutdownGrace": "8s",
            "birst.pollInterval": "50ms",
            "birst.username": "baton",
            "birst.endpoint": "http://127.0.0.1:\(port)/CommandWebService.asmx",
            "routing.file": routes,
        ])
        let topics = configuration.topics
        try await context.createTopics([
            NewTopic(name: topics.jobs.name, partitions: 4),
            NewTopic(name: topics.deadLetters.name, partitions: 1),
            NewTopic(name: topics.outcomes.name, partitions: 1),
        ])

        // The same reports every round; a round's own S3 sequencer makes them new jobs.
        let count = plan.endToEndReports
        progress("\(tag): putting \(count) reports of \(plan.reportBytes / 1000) KB into S3")
        let keys = (0..<count).map { "daily/report-\($0).csv" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    for index in stride(from: lane, to: keys.count, by: 8) {
                        try await s3.putObject(bucket: bucket, key: keys[index], body: sampleReport(size: plan.reportBytes, label: "\(index)"))
                    }
                }
            }
            try await group.waitForAll()
        }

        let outcomes = OutcomeCollector()
        let reader = try KafkaConsumer(
            configuration: KafkaConfiguration(configuration.kafka.clientProperties.merging(["fetch.wait.max.ms": "50"]) { $1 }),
            partitions: [TopicPartition(topic: topics.outcomes.name, partition: 0): .beginning],
            logger: context.logger)
        let reading = Task {
            while let message = try await reader.next() {
                if let record = try? OutcomeRecord.decode(message.value) { outcomes.add(record) }
            }
        }
        defer { reading.cancel() }
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(configuration.kafka.producerProperties), logger: context.logger)
        let publisher = JobPublisher(
            factory: JobFactory(routes: try configuration.routeTable(), retries: configuration.worker.retries),
            records: JobRecords(topics: topics, workerID: "bench"), sink: producer, logger: workerLogger)

        let rounds: [Round]
        var workers: [BenchWorker] = []
        do {
            for index in 1...Self.workers {
                workers.append(try BenchWorker(configuration: configuration, id: context.name("\(tag)-worker-\(index)"), logger: workerLogger))
            }
            func round(_ name: String, reports: Int, within seconds: Double) async throws -> Round {
                let events = keys.prefix(reports).map {
                    S3ObjectEvent(bucket: bucket, key: $0, size: plan.reportBytes, sequencer: name)
                }
                let started = Date()
                let published = try await publisher.publish(events)
                let records = try await outcomes.wait(for: Set(published.map(\.made.jobId)), within: seconds)
                return Round(started: started, records: records)
            }
            // Warm up until both workers have joined and taken partitions (on Tansu a join
            // takes about 3 s), so that no rebalance falls into a measured round.
            var seen = Set<String>()
            for attempt in 1...10 where seen.count < Self.workers {
                let warmup = try await round("warm-up-\(attempt)", reports: plan.endToEndWarmupReports, within: 90)
                seen.formUnion(warmup.records.compactMap(\.worker))
                progress("\(tag): warm-up \(attempt): \(warmup.records.count) jobs, done by \(seen.count) of \(Self.workers) workers")
                if seen.count < Self.workers { try await Task.sleep(for: .seconds(1)) }
            }
            rounds = try await context.repeated(
                "\(tag), \(count) reports, worker logs at \(logLevel)", warmups: 0, repetitions: plan.endToEndRepetitions,
                describe: {
                    String(format: "%.2f s publish → last outcome, queued p50 %.3f s, Birst p50 %.3f s", $0.elapsed,
                        Stats.percentile($0.records.compactMap(\.timings.queuedSeconds), 50),
                        Stats.percentile($0.records.compactMap(\.timings.birstSeconds), 50))
                        + ", by \(Set($0.records.compactMap(\.worker)).count) workers"
                }
            ) { index in
                try await round("round-\(index + 1)", reports: count, within: 180)
            }
        } catch {
            await stop(workers)
            await producer.shutdown(timeout: .seconds(5))
            await reader.close()
            throw error
        }
        await stop(workers)
        await producer.shutdown(timeout: .seconds(5))
        await reader.close()

        let notCompleted = rounds.flatMap(\.records).filter { $0.status != .completed }
        if !notCompleted.isEmpty {
            throw BenchFailure("\(notCompleted.count) jobs did not complete: \(notCompleted.prefix(3).map { "\($0.status) \($0.message ?? "")" })")
        }
        return rounds
    }

    struct Round: Sendable {
        var started: Date
        var records: [OutcomeRecord]
        var elapsed: Double {
            (records.map(\.timings.finishedAt).max() ?? started).timeIntervalSince(started)
        }
        var slices: Int { records.reduce(0) { $0 + $1.slices } }
    }

    private func stop(_ workers: [BenchWorker]) async {
        await withTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { try? await worker.stop() } }
        }
    }
}

/// Outcome records by job id, filled by the reader task.
final class OutcomeCollector: Sendable {
    private let records = Mutex<[String: OutcomeRecord]>([:])

    func add(_ record: OutcomeRecord) {
        records.withLock { $0[record.jobId] = $0[record.jobId] ?? record }
    }

    /// The records of `ids` once all have arrived (checked every 20 ms; the figures use
    /// the records' own `finishedAt`, so the check's granularity does not matter).
    func wait(for ids: Set<String>, within seconds: Double) async throws -> [OutcomeRecord] {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            let found = records.withLock { all in ids.compactMap { all[$0] } }
            if found.count == ids.count { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        let found = records.withLock { all in ids.filter { all[$0] != nil }.count }
        throw BenchFailure("only \(found) of \(ids.count) outcomes within \(seconds) s")
    }
}
