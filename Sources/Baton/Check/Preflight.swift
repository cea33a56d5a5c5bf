import Birst
import Curl
import Kafka
import Logging

/// `baton check`: the dependencies a worker needs, each checked once with a short
/// timeout. Broker: a metadata request; topics: the three topics exist; S3: a 1-byte GET
/// of ``EnvironmentProbe/s3CheckKey`` in every bucket a route names literally (found or
/// `NoSuchKey` pass); Birst: a login (then logout); SMTP: connect, EHLO, AUTH, NOOP.
public struct Preflight: Sendable {
    public var configuration: BatonConfiguration
    public var timeout: Duration
    public var logger: Logger

    public init(configuration: BatonConfiguration, timeout: Duration, logger: Logger) {
        self.configuration = configuration
        self.timeout = timeout
        self.logger = logger
    }

    /// Every part after `config` (which the caller checked by loading the configuration).
    public func run() async -> [PreflightResult] {
        let http = CurlClient(logger: logger)
        defer { http.shutdown() }
        var results = await kafka()
        results.append(await s3(http: http))
        results.append(await birst(http: http))
        results.append(await smtp(http: http))
        return results
    }

    func kafka() async -> [PreflightResult] {
        let servers = configuration.kafka.bootstrapServers
        let listed: [TopicDescription]
        do {
            let admin = try KafkaAdmin(configuration: KafkaConfiguration(configuration.kafka.clientProperties), logger: logger)
            defer { admin.shutdown() }
            listed = try await admin.listTopics(timeout: timeout)
        } catch {
            return [
                PreflightResult(.broker, .failed, "\(servers): \(error)"),
                PreflightResult(.topics, .skipped, "the broker did not answer"),
            ]
        }
        let existing = Dictionary(listed.map { ($0.name, $0.partitionCount) }, uniquingKeysWith: { first, _ in first })
        let missing = configuration.topics.all.map(\.name).filter { existing[$0] == nil }
        let broker = PreflightResult(.broker, .passed, "\(servers) answered (\(listed.count) topics)")
        guard missing.isEmpty else {
            return [broker, PreflightResult(.topics, .failed, "missing: \(missing.joined(separator: ", ")) (baton topics ensure creates them)")]
        }
        let present = configuration.topics.all.map { "\($0.name) (\(existing[$0.name]!))" }
        return [broker, PreflightResult(.topics, .passed, present.joined(separator: ", "))]
    }

    func s3(http: CurlClient) async -> PreflightResult {
        let routes: RouteTable
        let client: S3Client
        do {
            routes = try configuration.routeTable()
            client = S3Client(configuration: try configuration.s3.clientConfiguration(), http: http)
        } catch {
            return PreflightResult(.s3, .failed, "\(error)")
        }
        let buckets = Set(routes.routes.map(\.bucket.pattern).filter { !$0.contains(where: "*?[{".contains) }).sorted()
        guard !buckets.isEmpty else {
            return PreflightResult(.s3, .skipped, "no route names a bucket literally (routing.file)")
        }
        var problems: [String] = []
        for bucket in buckets {
            do {
                _ = try await withDeadline { try await client.getObject(bucket: bucket, key: EnvironmentProbe.s3CheckKey, range: 0..<1) }
            } catch S3Error.notFound {
                continue  // the bucket answered: readable with these credentials
            } catch {
                problems.append(EnvironmentProbe.environmentFault(error, bucket: bucket).map(String.init(describing:)) ?? "bucket \"\(bucket)\": \(error)")
            }
        }
        guard problems.isEmpty else { return PreflightResult(.s3, .failed, problems.joined(separator: "; ")) }
        return PreflightResult(.s3, .passed, "readable: \(buckets.joined(separator: ", "))")
    }

    func birst(http: CurlClient) async -> PreflightResult {
        let credentials: (username: String, password: String)
        do {
            credentials = try configuration.birst.credentials()
        } catch {
            return PreflightResult(.birst, .failed, "\(error)")
        }
        let client = BirstClient(
            configuration: BirstClient.Configuration(endpoint: configuration.birst.endpoint, requestTimeout: timeout),
            http: http, logger: logger
        )
        let session = client.session(credentials: BirstCredentials(username: credentials.username, password: credentials.password))
        do {
            try await session.login(deadline: .after(timeout))
            try? await session.logout(deadline: .after(timeout))
            return PreflightResult(.birst, .passed, "\(credentials.username) logged in at \(configuration.birst.endpoint)")
        } catch {
            let reason = EnvironmentProbe.environmentFault(error, bucket: "").map(String.init(describing:)) ?? "\(error)"
            return PreflightResult(.birst, .failed, "\(configuration.birst.endpoint): \(reason)")
        }
    }

    func smtp(http: CurlClient) async -> PreflightResult {
        guard let url = configuration.smtp.url else {
            return PreflightResult(.smtp, .skipped, "smtp.url is not set (no e-mail notifications)")
        }
        let client = SMTPClient(url: url, username: configuration.smtp.username, password: configuration.smtp.password, http: http)
        do {
            try await client.check(timeout: timeout)
            return PreflightResult(.smtp, .passed, "\(URLRedaction.redact(url)) answered EHLO and NOOP")
        } catch {
            return PreflightResult(.smtp, .failed, "\(URLRedaction.redact(url)): \(error)")
        }
    }

    /// S3's own timeout is per request; a check is bounded by ``timeout`` as a whole.
    private func withDeadline<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw PreflightTimeout(timeout: timeout)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
