import Baton
import Curl
import Foundation
import Kafka
import Logging

/// Sizes of one run: the full run, or `--quick` (a smoke run of about a minute).
struct Plan: Sendable {
    var quick: Bool
    var repetitions: Int
    var produceMessages: Int
    var produceInFlight = 1000
    var sequentialSends: Int
    var consumeMessages: Int
    var groupRepetitions: Int
    var uploadBytes: Int
    var parallelUploads = 4
    var s3ObjectBytes: Int
    var s3Concurrency = 8
    var endToEndReports: Int
    var endToEndWarmupReports: Int
    var endToEndRepetitions: Int
    var reportBytes = 50_000
    /// worker.concurrency of the end-to-end workers.
    var endToEndConcurrency = 32
    var messageBytes = 1024

    static let full = Plan(
        quick: false, repetitions: 5, produceMessages: 20_000, sequentialSends: 1000, consumeMessages: 50_000,
        groupRepetitions: 3, uploadBytes: 64 << 20, s3ObjectBytes: 32 << 20, endToEndReports: 50,
        endToEndWarmupReports: 5, endToEndRepetitions: 3)

    static let quick = Plan(
        quick: true, repetitions: 3, produceMessages: 3000, sequentialSends: 200, consumeMessages: 5000,
        groupRepetitions: 2, uploadBytes: 4 << 20, s3ObjectBytes: 8 << 20, endToEndReports: 10,
        endToEndWarmupReports: 2, endToEndRepetitions: 2)
}

/// What every benchmark shares.
struct BenchContext: Sendable {
    var plan: Plan
    var stack: BenchStack
    var logger: Logger
    /// Distinguishes this run's topics, groups and buckets from earlier runs on the same broker.
    var runID: String
    /// Where the in-process workers' logs go.
    var logDirectory: String

    func name(_ what: String) -> String { "bench-\(runID)-\(what)" }

    /// The product's configuration for these settings (as `--set` flags would give them),
    /// with secrets from a minimal environment.
    func configuration(_ settings: [String: String] = [:]) async throws -> BatonConfiguration {
        var flags = [
            "kafka.bootstrapServers": stack.kafkaBootstrapServers,
            // Tansu holds a group join for about half the session timeout (PLATFORM-NOTES).
            "kafka.sessionTimeout": "6s",
            "s3.endpoint": stack.s3Endpoint,
            "s3.region": stack.s3Region,
            "s3.accessKeyId": stack.s3AccessKeyID,
        ]
        flags.merge(settings) { $1 }
        let environment = ["BATON_BIRST_PASSWORD": "baton-dev", "BATON_S3_SECRET_ACCESS_KEY": stack.s3SecretAccessKey]
        return try await BatonConfiguration.load(
            ConfigSources(file: nil, flags: flags, environment: environment, usesDefaultFile: false))
    }

    func createTopics(_ topics: [NewTopic]) async throws {
        let kafka = try await configuration().kafka
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(kafka.clientProperties), logger: logger)
        defer { admin.shutdown() }
        _ = try await admin.createTopics(topics, timeout: .seconds(10))
    }

    /// Runs `body` for `warmups` discarded rounds (index < 0), then `repetitions` measured
    /// ones, and returns the measured results.
    func repeated<T>(
        _ what: String, warmups: Int = 1, repetitions: Int? = nil,
        describe: (T) -> String = { _ in "" }, _ body: (Int) async throws -> T
    ) async throws -> [T] {
        let count = repetitions ?? plan.repetitions
        var results: [T] = []
        for round in -warmups..<count {
            let clock = ContinuousClock()
            let started = clock.now
            let result = try await body(round)
            let took = String(format: "%.2f s", (clock.now - started).inSeconds)
            let detail = describe(result)
            progress("\(what): \(round < 0 ? "warm-up" : "repetition \(round + 1)/\(count)") \(took)\(detail.isEmpty ? "" : ", " + detail)")
            if round >= 0 { results.append(result) }
        }
        return results
    }
}

/// Progress lines go to stderr; the table goes to stdout.
func progress(_ line: String) {
    FileHandle.standardError.write(Data("bench: \(line)\n".utf8))
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Deterministic filler bytes that do not compress to nothing.
func fillerBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var bytes = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        bytes[i] = UInt8(truncatingIfNeeded: state)
    }
    return bytes
}
