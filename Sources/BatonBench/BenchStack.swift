import Curl
import Foundation

/// Where the bench's private local stack runs (`scripts/stack up` with
/// `BATON_STACK_DIR=.stack/bench`), read from the environment its `env` file provides.
/// Only what the benchmarks use: the broker and S3 (no SMTP, no adapter faults).
struct BenchStack: Sendable {
    /// `host:port` of the broker (through the protocol adapter).
    var kafkaBootstrapServers: String
    var s3Endpoint: String
    var s3Region: String
    var s3AccessKeyID: String
    /// moto's secret; never printed.
    var s3SecretAccessKey: String

    /// The stack named by `BATON_…` variables, as `scripts/stack up` writes them.
    /// - Throws: ``BenchFailure`` naming the first variable that is missing.
    static func current(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> BenchStack {
        func need(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw BenchFailure("\(name) is not set: run the benchmarks through scripts/bench, which starts a stack")
            }
            return value
        }
        return BenchStack(
            kafkaBootstrapServers: try need("BATON_KAFKA_BOOTSTRAP_SERVERS"),
            s3Endpoint: try need("BATON_S3_ENDPOINT"),
            s3Region: environment["BATON_S3_REGION"] ?? "us-east-1",
            s3AccessKeyID: try need("BATON_S3_ACCESS_KEY_ID"),
            s3SecretAccessKey: try need("BATON_S3_SECRET_ACCESS_KEY"))
    }

    /// The stack's S3 server (path-style, as S3-compatible servers need).
    var s3Configuration: S3Configuration {
        S3Configuration(
            endpoint: s3Endpoint, region: s3Region,
            credentials: S3Credentials(accessKeyID: s3AccessKeyID, secretAccessKey: s3SecretAccessKey),
            pathStyle: true)
    }
}
