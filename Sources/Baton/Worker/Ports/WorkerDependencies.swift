import Birst
import Curl
import Foundation
import Kafka
import Logging

/// The clients a worker talks through, built once from the configuration.
public struct WorkerDependencies: Sendable {
    public var environment: SliceEnvironment
    public var producer: KafkaProducer
    public var http: CurlClient
    /// Birst's own client: at most `birst.maximumConnections` connections, on a curl
    /// thread of its own, so thousands of polls neither queue behind S3 transfers nor
    /// take S3's connections.
    var birstHTTP: CurlClient
    var probe: EnvironmentProbe
    /// Buckets named literally by the routes: what the start-up check reads.
    var buckets: [String]
    /// Topics the worker produces to, looked up before it joins the group.
    var producedTopics: [String] = []
    /// The environment's ledger, opened during the start-up check and closed at shutdown.
    var ledger: TopicOutcomeLedger?

    public static func make(configuration: BatonConfiguration, workerID: String? = nil, logger: Logger) throws -> WorkerDependencies {
        let credentials = try configuration.birst.credentials()
        let http = CurlClient(logger: logger)
        let birstHTTP = CurlClient(logger: logger, maximumConnectionsPerHost: configuration.birst.maximumConnections)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(configuration.kafka.producerProperties), logger: logger)
        let birst = BirstClient(
            configuration: BirstClient.Configuration(endpoint: configuration.birst.endpoint, requestTimeout: max(configuration.birst.callTimeout, configuration.birst.publishTimeout)),
            http: birstHTTP, logger: logger
        )
        let s3 = S3Client(configuration: try configuration.s3.clientConfiguration(), http: http)
        let birstCredentials = BirstCredentials(username: credentials.username, password: credentials.password)
        let probe = EnvironmentProbe(birst: birst, credentials: birstCredentials, s3: s3, timeout: configuration.birst.callTimeout)
        let ledger = TopicOutcomeLedger(
            clientProperties: configuration.kafka.clientProperties,
            topics: [configuration.topics.outcomes.name, configuration.topics.deadLetters.name], logger: logger)
        let environment = SliceEnvironment(
            worker: configuration.worker,
            birstSettings: configuration.birst,
            notifySettings: configuration.notify,
            records: JobRecords(topics: configuration.topics, workerID: workerID ?? Self.defaultWorkerID()),
            sink: producer,
            s3: s3,
            birst: BirstSessionPool(client: birst, credentials: birstCredentials),
            notifier: try Notifier(settings: configuration.notify, smtpSettings: configuration.smtp, http: http),
            health: EnvironmentHealth(recheck: configuration.worker.environmentRecheck, logger: logger, probe: probe.check),
            logger: logger,
            ledger: ledger
        )
        let buckets = (try? configuration.routeTable().routes.map(\.bucket.pattern).filter { !$0.contains(where: "*?[{".contains) }) ?? []
        let topics = configuration.topics
        return WorkerDependencies(
            environment: environment, producer: producer, http: http, birstHTTP: birstHTTP, probe: probe, buckets: Array(Set(buckets)).sorted(),
            producedTopics: [topics.jobs.name, topics.deadLetters.name, topics.outcomes.name], ledger: ledger)
    }

    /// host-pid: unique per process, readable in logs and headers.
    public static func defaultWorkerID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Before joining the group: Birst login and S3 access, each fault as it stands.
    func preflight() async -> [EnvironmentFault] {
        // Beside the checks: the producer learns its topics' leaders, so the first hand-off
        // or outcome after start is not delayed by that lookup; the ledger opens its reader,
        // so the first outcomes after start wait for a watermark look-up only.
        async let warmed: Void = producer.warmUp(topics: producedTopics, timeout: .seconds(5))
        await ledger?.warmUp()
        var faults: [EnvironmentFault] = []
        if let fault = await probe.checkBirst() { faults.append(fault) }
        for bucket in buckets {
            if let fault = await probe.checkS3(bucket: bucket) { faults.append(fault) }
        }
        await warmed
        return faults
    }

    func shutdown(timeout: Duration) async {
        await environment.health.shutdown()
        await ledger?.shutdown()
        await producer.shutdown(timeout: timeout)
        http.shutdown()
        birstHTTP.shutdown()
    }
}
