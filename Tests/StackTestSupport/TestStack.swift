import Curl
import Foundation

/// Where the local stack (`scripts/stack up`) runs, read from the environment that
/// `.stack/env` provides. Tests that need a real broker, S3 or SMTP server start here.
public struct TestStack: Sendable {
    public var kafkaBootstrapServers: String
    public var s3Endpoint: String
    public var s3Region: String
    public var s3AccessKeyID: String
    public var s3SecretAccessKey: String
    public var smtpURL: String
    /// Maildir the local SMTP server delivers into (`new/` holds one file per message).
    public var smtpMaildir: String
    /// HTTP control endpoint of the Kafka protocol adapter (fault injection).
    public var kafkaAdapterControl: String

    public struct Missing: Error, CustomStringConvertible {
        public var variable: String
        public var description: String {
            "\(variable) is not set: start the local stack with `scripts/stack up` and load it with "
                + "`set -a; . .stack/env; set +a` (or run `make test`)"
        }
    }

    /// The shared stack this test run was started against (`.stack/env` loaded).
    public static func current() throws -> TestStack {
        try TestStack(environment: ProcessInfo.processInfo.environment)
    }

    /// The stack's S3 server (path-style, as S3-compatible servers need).
    public var s3Configuration: S3Configuration {
        S3Configuration(
            endpoint: s3Endpoint, region: s3Region,
            credentials: S3Credentials(accessKeyID: s3AccessKeyID, secretAccessKey: s3SecretAccessKey),
            pathStyle: true
        )
    }

    /// librdkafka properties for tests: the stack's broker and a short session timeout,
    /// because Tansu holds a group join for about half of it.
    public var kafkaTestProperties: [String: String] {
        [
            "bootstrap.servers": kafkaBootstrapServers,
            "session.timeout.ms": "6000",
            "heartbeat.interval.ms": "500",
        ]
    }
}

extension TestStack {
    /// A stack described by `BATON_…` variables, as `scripts/stack up` writes them.
    public init(environment env: [String: String]) throws {
        func need(_ name: String) throws -> String {
            guard let value = env[name], !value.isEmpty else { throw Missing(variable: name) }
            return value
        }
        self.init(
            kafkaBootstrapServers: try need("BATON_KAFKA_BOOTSTRAP_SERVERS"),
            s3Endpoint: try need("BATON_S3_ENDPOINT"),
            s3Region: env["BATON_S3_REGION"] ?? "us-east-1",
            s3AccessKeyID: try need("BATON_S3_ACCESS_KEY_ID"),
            s3SecretAccessKey: try need("BATON_S3_SECRET_ACCESS_KEY"),
            smtpURL: try need("BATON_SMTP_URL"),
            smtpMaildir: try need("BATON_STACK_SMTP_MAILDIR"),
            kafkaAdapterControl: try need("BATON_STACK_KAFKA_ADAPTER_CONTROL")
        )
    }
}

/// A name no other test (or earlier run against the same broker) uses.
public func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Runs `operation` and fails if it does not finish within `seconds` (on a quiet machine;
/// scaled by ``TestTime``): every wait in a test is bounded.
public func withTimeout<T: Sendable>(
    _ seconds: Double,
    _ what: String = "the operation",
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let limit = TestTime.seconds(seconds)
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutError(limit: limit, what: what)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Re-evaluates `condition` until it holds, for state that offers no event to await
/// (a file appearing in a maildir, a broker-side count). Bounded by `seconds` (on a quiet
/// machine; scaled by ``TestTime``).
public func eventually(
    _ seconds: Double,
    _ what: String,
    every interval: Duration = .milliseconds(50),
    _ condition: @Sendable () async throws -> Bool
) async throws {
    let limit = TestTime.seconds(seconds)
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    throw TimeoutError(limit: limit, what: what)
}
