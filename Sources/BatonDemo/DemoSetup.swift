import Baton
import BirstSimulator
import Foundation
import Kafka
import Logging

/// Starts what the jobs need, registering each part with `resources` as it starts: the
/// local stack, the Birst simulator, the configuration files, the topics and the workers.
struct DemoSetup {
    var settings: DemoSettings
    var reports: [SampleReport]
    var resources: DemoResources
    var console: DemoConsole
    var logger: Logger

    /// What the later steps use.
    struct Ready {
        var configuration: BatonConfiguration
        /// The environment the workers got (the stack's addresses, the Birst password).
        var environment: [String: String]
        var stack: LocalStack
        var files: DemoConfigFiles
        var simulator: BirstSimulator
        var partitions: [TopicDescription]
    }

    func run() async throws -> Ready {
        let executable = ExecutablePath.current()
        let stack = LocalStack(repositoryRoot: try RepositoryRoot.find(executable: executable), directory: settings.stackDirectory)
        try FileManager.default.createDirectory(atPath: stack.absoluteDirectory, withIntermediateDirectories: true)
        let processFile = DemoProcessFile(path: stack.absoluteDirectory + "/processes")
        let stale = try processFile.claim(directory: stack.absoluteDirectory)
        resources.register(stack: stack, processFile: processFile)
        if !stale.isEmpty { console.step("cleanup", "stopped workers an earlier demo left behind: \(stale.joined(separator: ", "))") }

        await stack.down()  // remains of an earlier run: start from a fresh, empty stack
        let stackEnvironment = try await stack.up()
        console.step("stack", [
            "Kafka " + (stackEnvironment["BATON_KAFKA_BOOTSTRAP_SERVERS"] ?? "?"),
            "S3 " + (stackEnvironment["BATON_S3_ENDPOINT"] ?? "?"),
            "SMTP " + (stackEnvironment["BATON_SMTP_URL"] ?? "?"),
        ].joined(separator: " · ") + "  (\(stack.directory))")

        let simulator = try await startSimulator()
        let files = DemoConfigFiles(directory: stack.absoluteDirectory, birstEndpoint: simulator.endpointURL!, settings: settings, reports: reports)
        try files.write()
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BATON_") }
        environment.merge(stackEnvironment) { $1 }
        environment["BATON_BIRST_PASSWORD"] = DemoConfigFiles.birstPassword
        let configuration = try await BatonConfiguration.load(ConfigSources(file: files.configPath, environment: environment))

        let partitions = try await createTopics(configuration)
        try await startWorkers(executable: executable, files: files, environment: environment, processFile: processFile)
        return Ready(
            configuration: configuration, environment: environment, stack: stack, files: files, simulator: simulator,
            partitions: partitions)
    }

    /// Birst's 10-minute idle timeout of a login token, in Birst time, but never shorter
    /// than two real minutes: the time scale compresses Birst's processing, not the time a
    /// call takes on this machine. (At 0.004 the 10 minutes would be 2.4 real seconds, less
    /// than one 1 MiB chunk takes on a loaded machine, and every login would expire between
    /// two calls.)
    private var sessionIdleTimeout: Double {
        max(600, 120 / settings.timeScale)
    }

    /// `--overrun-chunks N`: the first N chunks are applied, then answered a slice budget later.
    private var overrunFaults: FaultPlan {
        guard settings.overrunChunks > 0 else { return FaultPlan() }
        return FaultPlan(operations: ["uploadData": FaultKnobs(
            delayAfterApplySeconds: settings.sliceBudget.seconds, delayAfterApplyCalls: settings.overrunChunks)])
    }

    private func startSimulator() async throws -> BirstSimulator {
        let simulator = BirstSimulator(
            configuration: SimulatorConfiguration(
                host: "127.0.0.1", port: 0, timeScale: settings.timeScale,
                settings: SimulatorSettings(
                    uploadJob: JobBehaviour(durationSeconds: DemoSettings.uploadBirstSeconds, status: "None"),
                    publishJob: JobBehaviour(durationSeconds: DemoSettings.publishBirstSeconds, status: "Complete"),
                    sessionIdleTimeoutSeconds: sessionIdleTimeout,
                    faults: overrunFaults)),
            logger: logger)
        resources.register(simulator)
        try await simulator.start()
        console.step("birst-sim", "\(simulator.endpointURL!) — time scale \(String(format: "%.5g", settings.timeScale)): "
            + "a 40-minute publish takes \(Formatting.seconds(settings.publishSeconds)) s")
        return simulator
    }

    private func createTopics(_ configuration: BatonConfiguration) async throws -> [TopicDescription] {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(configuration.kafka.clientProperties), logger: logger)
        resources.register(admin)
        let topics = configuration.topics
        _ = try await admin.createTopics(
            topics.all.map { NewTopic(name: $0.name, partitions: $0.partitions, replicationFactor: topics.replicationFactor) },
            timeout: .seconds(30))
        let described = try await admin.listTopics(timeout: .seconds(30))
        console.step("topics", topics.all.map { topic in
            "\(topic.name) (\(described.first { $0.name == topic.name }?.partitionCount ?? 0))"
        }.joined(separator: " · "))
        return described
    }

    private func startWorkers(executable: String, files: DemoConfigFiles, environment: [String: String], processFile: DemoProcessFile) async throws {
        let console = self.console
        var started: [String] = []
        for index in 1...settings.workers {
            let name = "worker-\(index)"
            let worker = try await WorkerProcess.start(
                name: name, executable: executable,
                arguments: ["worker", "--config", files.configPath, "--id", name],
                environment: environment, logPath: files.directory + "/\(name).log", stopGrace: .seconds(15),
                onUnexpectedExit: { name, status in
                    console.line("!! \(name) exited unexpectedly (\(status.map { "\($0)" } ?? "failed to run")); see its log")
                })
            resources.fleet.add(worker)
            processFile.add(name, pid: worker.pid)
            started.append("\(name) (pid \(worker.pid))")
        }
        console.step("workers", started.joined(separator: ", ") + " — logs in \(settings.stackDirectory)/worker-N.log")
    }
}
