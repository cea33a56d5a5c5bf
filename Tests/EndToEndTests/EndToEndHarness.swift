import Baton
import BatonTestSupport
import BirstSimulator
import Crypto
import Curl
import Foundation
import Kafka
import Logging
import S3Events
import ServiceLifecycle
import Synchronization
import Testing

/// One end-to-end scenario's world: its own topics (unique prefix), consumer group,
/// bucket and Birst simulator, on the shared local stack. Workers run in-process or as
/// real `baton worker` processes with the same configuration file.
final class EndToEndHarness: Sendable {
    let stack: TestStack
    let name: String
    let bucket: String
    let simulator: BirstSimulator
    let http: CurlClient
    let s3: S3Client
    let configFile: String
    let directory: String
    let logger: Logger
    /// Where this scenario's Kafka, S3 and SMTP are, as `BATON_…` variables: a spawned
    /// worker inherits the test run's environment, which points at the shared stack, and
    /// the environment wins over the file.
    let addresses: [String: String]
    /// The S3 secret key workers get (the local S3 checks no signatures, so a scenario may
    /// use one of its own that nothing else contains, and scan for it).
    let s3SecretAccessKey: String
    /// What each Birst source must hold, by source name (the key's stem under the default
    /// route): the bytes of the S3 version the job's event names.
    private let expected = Mutex<[String: [UInt8]]>([:])

    /// How many of a scenario's first `uploadData` calls are applied and then answered
    /// a whole slice budget (plus 100 ms) later: each of them overruns its slice's
    /// deadline wherever in the slice it started (every uploading scenario runs with
    /// overrunning chunk calls at least once).
    static let overrunChunkCalls = 2

    /// Settings every scenario shares: short slices, fast polls, Tansu-friendly sessions.
    static let baseSettings: [String: String] = [
        "kafka.sessionTimeout": "6s",
        "worker.sliceBudget": "1500ms",
        "worker.safetyMargin": "300ms",
        "worker.concurrency": "16",
        "worker.backoffInitial": "100ms",
        "worker.backoffMax": "500ms",
        "worker.shutdownGrace": "8s",
        "birst.pollInterval": "200ms",
        "birst.chunkSize": "64KiB",
        "birst.username": "baton",
        "notify.maxAttempts": "3",
    ]

    init(
        _ name: String,
        settings: [String: String] = [:],
        routes: String? = nil,
        mockCluster: KafkaMockCluster? = nil,
        stack ownStack: TestStack? = nil,
        s3SecretAccessKey: String? = nil,
        simulator configure: (inout SimulatorConfiguration) -> Void = { _ in }
    ) async throws {
        // A scenario that injects faults into the broker brings a private stack
        // (`PrivateStack`); the others share the one the test run was started against.
        self.stack = try ownStack ?? TestStack.current()
        self.name = uniqueName(name)
        self.s3SecretAccessKey = s3SecretAccessKey ?? self.stack.s3SecretAccessKey
        bucket = uniqueName("reports")
        var logger = Logger(label: "e2e.\(name)")
        logger.logLevel = .warning
        self.logger = logger
        directory = NSTemporaryDirectory() + self.name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        var simulatorConfiguration = SimulatorConfiguration(timeScale: 0.01)
        simulatorConfiguration.settings.uploadJob.durationSeconds = 50
        simulatorConfiguration.settings.publishJob.durationSeconds = 700
        configure(&simulatorConfiguration)
        // The first chunk calls of every scenario are applied, then answered after the
        // slice's budget has run out: a chunk in flight must not be cut by the slice
        // deadline, nor resent. Added to whatever faults the scenario configured.
        var chunkKnobs = simulatorConfiguration.settings.faults.knobs(for: "uploadData")
        if chunkKnobs.delayAfterApplySeconds == 0 {
            let budget = (settings["worker.sliceBudget"] ?? Self.baseSettings["worker.sliceBudget"]).flatMap(ConfigDuration.parse) ?? .seconds(2)
            chunkKnobs.delayAfterApplySeconds = budget.seconds + 0.1
            chunkKnobs.delayAfterApplyCalls = Self.overrunChunkCalls
            simulatorConfiguration.settings.faults.operations["uploadData"] = chunkKnobs
        }
        simulator = BirstSimulator(configuration: simulatorConfiguration, logger: logger)
        let port = try await simulator.start()

        http = CurlClient(logger: logger)
        s3 = S3Client(configuration: stack.s3Configuration, http: http)
        try await s3.createBucket(bucket)

        let routesFile = directory + "/routes.yaml"
        try (routes ?? """
            routes:
              - name: everything
                bucket: "\(bucket)"
                key: "**"
                spaceId: "space-{stem}"
                sourceName: "{stem}"
                notify:
                  email: [ops@example.com]
            """).write(toFile: routesFile, atomically: true, encoding: .utf8)
        var all = Self.baseSettings
        all["topics.prefix"] = self.name + "."
        all["kafka.groupId"] = self.name
        all["kafka.bootstrapServers"] = stack.kafkaBootstrapServers
        all["birst.endpoint"] = "http://127.0.0.1:\(port)/CommandWebService.asmx"
        all["routing.file"] = routesFile
        all["s3.endpoint"] = stack.s3Endpoint
        all["s3.accessKeyId"] = stack.s3AccessKeyID
        all["smtp.url"] = stack.smtpURL
        all["smtp.from"] = "baton-\(self.name)@example.com"
        all.merge(settings) { $1 }
        configFile = directory + "/baton.yaml"
        try Self.yaml(all).write(toFile: configFile, atomically: true, encoding: .utf8)
        addresses = [
            "BATON_KAFKA_BOOTSTRAP_SERVERS": all["kafka.bootstrapServers"]!, "BATON_S3_ENDPOINT": all["s3.endpoint"]!,
            "BATON_SMTP_URL": all["smtp.url"]!,
        ]

        let configuration = try await self.configuration()
        let topics = [
            NewTopic(name: configuration.topics.jobs.name, partitions: 3),
            NewTopic(name: configuration.topics.deadLetters.name, partitions: 1),
            NewTopic(name: configuration.topics.outcomes.name, partitions: 1),
        ]
        if let mockCluster {
            // librdkafka's mock cluster has no CreateTopics; it makes them itself.
            for topic in topics { try mockCluster.createTopic(topic.name, partitions: topic.partitions) }
            return
        }
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(configuration.kafka.clientProperties), logger: logger)
        defer { admin.shutdown() }
        _ = try await admin.createTopics(topics, timeout: TestTime.seconds(10))
    }

    /// The environment workers get: secrets only here, never in the file.
    var environment: [String: String] {
        addresses.merging(["BATON_BIRST_PASSWORD": "baton-dev", "BATON_S3_SECRET_ACCESS_KEY": s3SecretAccessKey]) { $1 }
    }

    func configuration() async throws -> BatonConfiguration {
        try await BatonConfiguration.load(ConfigSources(file: configFile, environment: environment))
    }

    /// Dotted settings (`worker.sliceBudget`) as the nested YAML a config file holds.
    static func yaml(_ settings: [String: String]) -> String {
        var lines: [String] = []
        var open: [Substring] = []
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) {
            let path = key.split(separator: ".")
            var common = 0
            while common < min(open.count, path.count - 1), open[common] == path[common] { common += 1 }
            open = Array(open.prefix(common))
            for component in path.dropLast().dropFirst(common) {
                lines.append(String(repeating: "  ", count: open.count) + component + ":")
                open.append(component)
            }
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            lines.append(String(repeating: "  ", count: open.count) + path.last! + ": \"" + escaped + "\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func stop() async {
        http.shutdown()
        await simulator.stop()
    }

    // MARK: Reports

    /// Puts a report of `size` bytes (CSV-looking, distinct per key) and returns its bytes.
    @discardableResult
    func putReport(_ key: String, size: Int) async throws -> [UInt8] {
        let bytes = sampleCSV(size: size, label: key)
        try await s3.putObject(bucket: bucket, key: key, body: bytes)
        expect(key, bytes)
        return bytes
    }

    /// Records that the source for `key` must end up holding exactly `bytes`.
    func expect(_ key: String, _ bytes: [UInt8]) {
        expected.withLock { $0[Self.stem(key)] = bytes }
    }

    static func stem(_ key: String) -> String {
        let filename = String(key.split(separator: "/").last ?? Substring(key))
        return filename.lastIndex(of: ".").map { String(filename[..<$0]) } ?? filename
    }

    /// Every finished upload in Birst compared with the S3 version its job names
    /// (SHA-256): one line per upload that differs, or whose source is unknown. Empty when
    /// Birst holds exactly what S3 holds.
    func inexactUploads() -> [String] {
        let expected = expected.withLock { $0 }
        return simulator.inspect().uploads.filter(\.finished).compactMap { upload in
            guard let bytes = expected[upload.sourceName] else { return "\(upload.sourceName): no report expected" }
            let want = Self.sha256(bytes)
            if upload.sha256 == want { return nil }
            return "\(upload.sourceName): Birst received \(upload.bytesReceived) B (sha256 \(upload.sha256.prefix(12))…), S3 holds \(bytes.count) B (sha256 \(want.prefix(12))…)"
        }
    }

    /// Every finished upload holds exactly the bytes of its S3 version, and (unless
    /// `overran` is false) at least one chunk call overran its slice's deadline.
    func expectExactUploads(overran: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        let inexact = inexactUploads()
        #expect(inexact.isEmpty, "Birst holds other bytes than S3: \(inexact)", sourceLocation: sourceLocation)
        if overran {
            #expect(overrunChunkCalls() >= 1, "no chunk call overran its slice's deadline", sourceLocation: sourceLocation)
        }
    }

    /// `uploadData` calls that were applied and then answered past the slice's deadline.
    func overrunChunkCalls() -> Int {
        simulator.inspect().calls.filter { $0.operation == "uploadData" && $0.injected == "delayAfterApply" }.count
    }

    /// Publishes jobs for `keys` in one batch (the same instant), like `baton publish --event`.
    func publish(_ keys: [String], retries: Int? = nil) async throws -> [String] {
        let configuration = try await configuration()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(configuration.kafka.producerProperties), logger: logger)
        defer { Task { await producer.shutdown(timeout: TestTime.seconds(5)) } }
        let publisher = JobPublisher(
            factory: JobFactory(routes: try configuration.routeTable(), retries: retries ?? configuration.worker.retries),
            records: JobRecords(topics: configuration.topics, workerID: "test"),
            sink: producer, logger: logger
        )
        let published = try await publisher.publish(keys.map { S3ObjectEvent(bucket: bucket, key: $0, sequencer: name) })
        await producer.shutdown(timeout: TestTime.seconds(5))
        return published.map(\.made.jobId)
    }

    /// Publishes `events` as they are (sequencer, versionId, eTag, size), like `baton publish --event`.
    func publish(events: [S3ObjectEvent]) async throws -> [JobPublisher.Published] {
        let configuration = try await configuration()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(configuration.kafka.producerProperties), logger: logger)
        let publisher = JobPublisher(
            factory: JobFactory(routes: try configuration.routeTable(), retries: configuration.worker.retries),
            records: JobRecords(topics: configuration.topics, workerID: "test"),
            sink: producer, logger: logger
        )
        do {
            let published = try await publisher.publish(events)
            await producer.shutdown(timeout: .seconds(5))
            return published
        } catch {
            await producer.shutdown(timeout: .seconds(5))
            throw error
        }
    }

    /// Raw records straight onto the jobs topic (hostile input).
    func produceRaw(_ records: [(key: [UInt8]?, value: [UInt8])]) async throws {
        let configuration = try await configuration()
        var properties = configuration.kafka.producerProperties
        properties["message.max.bytes"] = String(8 << 20)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(properties), logger: logger)
        for record in records {
            _ = try await producer.send(topic: configuration.topics.jobs.name, key: record.key, value: record.value)
        }
        await producer.shutdown(timeout: TestTime.seconds(5))
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
