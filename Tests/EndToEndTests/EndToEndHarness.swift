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
        simulator configure: (inout SimulatorConfiguration) -> Void = { _ in }
    ) async throws {
        // A scenario that injects faults into the broker brings a private stack
        // (`PrivateStack`); the others share the one the test run was started against.
        self.stack = try ownStack ?? TestStack.current()
        self.name = uniqueName(name)
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
        addresses.merging(["BATON_BIRST_PASSWORD": "baton-dev", "BATON_S3_SECRET_ACCESS_KEY": stack.s3SecretAccessKey]) { $1 }
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
        return bytes
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
