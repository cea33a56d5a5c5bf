import Foundation
import Kafka
import Synchronization

/// Counts occurrences of secrets in log lines and topic records (scenario 7): a secret
/// must never be written where operators, log pipelines or topic consumers can read it.
final class SecretScan: Sendable {
    private let secrets: [[UInt8]]
    private let counts = Mutex<(found: Int, lines: Int, records: Int)>((0, 0, 0))

    /// `secrets` that are empty are ignored (they would match everywhere).
    init(secrets: [String]) {
        self.secrets = Set(secrets).filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Occurrences found, log lines scanned, records scanned.
    var totals: (Int, Int, Int) { counts.withLock { ($0.found, $0.lines, $0.records) } }

    /// Every line of every file under `directory` (worker logs, command output).
    func scan(directory: String) {
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        for file in files {
            guard let data = FileManager.default.contents(atPath: directory + "/" + file) else { continue }
            let lines = data.split(separator: UInt8(ascii: "\n"))
            let found = lines.reduce(0) { $0 + occurrences(in: Array($1)) }
            counts.withLock {
                $0.found += found
                $0.lines += lines.count
            }
        }
    }

    /// Keys, values and header values of `records`.
    func scan(records: [KafkaMessage]) {
        let found = records.reduce(0) { sum, record in
            sum + occurrences(in: record.key ?? []) + occurrences(in: record.value) + record.headers.reduce(0) { $0 + occurrences(in: $1.value ?? []) }
        }
        counts.withLock {
            $0.found += found
            $0.records += records.count
        }
    }

    private func occurrences(in bytes: [UInt8]) -> Int {
        secrets.reduce(0) { sum, secret in
            guard bytes.count >= secret.count else { return sum }
            var count = 0
            var index = 0
            while index + secret.count <= bytes.count {
                if bytes[index] == secret[0], bytes[index..<(index + secret.count)].elementsEqual(secret) {
                    count += 1
                    index += secret.count
                } else {
                    index += 1
                }
            }
            return sum + count
        }
    }
}

extension EndToEndHarness {
    /// What must never appear in a log line or a topic record: the Birst password, every
    /// login token the simulator issued, and the S3 secret access key.
    var secrets: [String] {
        [environment["BATON_BIRST_PASSWORD"] ?? "", s3SecretAccessKey] + simulator.inspect().logins.map(\.token)
    }
}
