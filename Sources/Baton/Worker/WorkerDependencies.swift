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

    public static func make(configuration: BatonConfiguration, workerID: String? = nil, logger: Logger) throws -> WorkerDependencies {
        let credentials = try configuration.birst.credentials()
        let http = CurlClient(logger: logger)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(configuration.kafka.producerProperties), logger: logger)
        let birst = BirstClient(
            configuration: BirstClient.Configuration(endpoint: configuration.birst.endpoint, requestTimeout: configuration.birst.callTimeout),
            http: http, logger: logger
        )
        let environment = SliceEnvironment(
            worker: configuration.worker,
            birstSettings: configuration.birst,
            notifySettings: configuration.notify,
            records: JobRecords(topics: configuration.topics, workerID: workerID ?? Self.defaultWorkerID()),
            sink: producer,
            s3: S3Client(configuration: try configuration.s3.clientConfiguration(), http: http),
            birst: BirstSessionPool(client: birst, credentials: BirstCredentials(username: credentials.username, password: credentials.password)),
            notifier: try Notifier(settings: configuration.notify, smtpSettings: configuration.smtp, http: http),
            logger: logger
        )
        return WorkerDependencies(environment: environment, producer: producer, http: http)
    }

    /// host-pid: unique per process, readable in logs and headers.
    public static func defaultWorkerID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    func shutdown(timeout: Duration) async {
        await producer.shutdown(timeout: timeout)
        http.shutdown()
    }
}
