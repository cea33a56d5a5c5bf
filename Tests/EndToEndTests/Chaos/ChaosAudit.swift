import Baton
import BatonTestSupport
import Foundation
import Kafka

/// What one chaos scenario left behind, read from the record, not from the workers'
/// word: the outcomes topic, the dead-letter topic, the jobs topic against the group's
/// committed offsets, the Birst simulator's inspection, and every log file and topic
/// record for secrets.
struct ChaosAudit: Sendable {
    /// The scenario's table label, e.g. "1 SIGKILL every 5 s".
    var scenario: String
    /// Good jobs plus hostile records put on the jobs topic.
    var submitted = 0
    /// Distinct jobs by the status of their last outcome record.
    var completed = 0
    var failed = 0
    /// Records on the dead-letter topic.
    var deadLettered = 0
    var superseded = 0
    /// Jobs that ended `unconfirmed`: a publishData whose answer was lost, not repeated.
    var unconfirmed = 0
    /// Submitted jobs without any outcome, and hostile records not on the dead-letter topic.
    var lost = 0
    /// `publishData` calls beyond the first, per Birst space (each job has a space of its own).
    var duplicatePublishes = 0
    /// Finished uploads whose bytes differ from the S3 version the job names.
    var inexactUploads = 0
    /// Outcome records beyond one per job (README, *Outcomes once*: still possible after a
    /// lost partition, when the old owner's outcome lands after the new owner looked).
    var extraOutcomes = 0
    /// Messages on the jobs topic past the group's committed offsets when the audit was taken.
    var uncommitted = 0
    /// Dead letters without a `baton-error` reason.
    var deadLettersWithoutReason = 0
    /// Dead letters by `baton-error-kind`, to tell a poison record from a job that ran and
    /// failed (a hostile record naming a missing S3 object would be dead-lettered either way).
    var deadLetterKinds: [String: Int] = [:]
    /// Occurrences of a secret (Birst password, login token, S3 secret key) in the
    /// scenario's log lines and topic records, and how much was scanned.
    var secrets = 0
    var logLinesScanned = 0
    var recordsScanned = 0
    /// Wall-clock seconds the scenario took.
    var seconds = 0.0
    /// The outcomes that were not `completed`, for failure messages.
    var notCompleted: [OutcomeRecord] = []

    /// The counts that must be zero in every scenario.
    var violations: [String] {
        [("lost", lost), ("duplicate publishes", duplicatePublishes), ("uploads not identical", inexactUploads),
         ("secrets found", secrets), ("dead letters without a reason", deadLettersWithoutReason)]
            .filter { $0.1 != 0 }.map { "\($0.0): \($0.1)" }
    }

    /// Waits (bounded by `seconds`) until every job has an outcome, every hostile record is
    /// dead-lettered and the group has committed the jobs topic to its end. A wait that
    /// runs out is not an error here: the audit then shows what is missing.
    static func awaitSettled(
        _ harness: EndToEndHarness, scenario: String, jobs: [String], hostile: [HostileRecord] = [], within seconds: Double
    ) async {
        let wanted = Set(jobs)
        try? await eventually(seconds, "\(scenario): every job to end and the jobs topic to be committed", every: .seconds(1)) {
            do {
                let outcomes = Set(try await harness.allOutcomes(within: 30).map(\.jobId))
                guard wanted.isSubset(of: outcomes) else { return false }
                if !hostile.isEmpty {
                    let letters = try await harness.readToEnd(try await harness.configuration().topics.deadLetters.name, partitions: 1, within: 30)
                    guard HostileRecord.found(hostile, among: letters) == hostile.count else { return false }
                }
                return try await uncommittedMessages(harness) == 0
            } catch {
                return false  // a read that failed (the broker busy) is tried again
            }
        }
    }

    /// The audit as things stand.
    static func audit(
        _ harness: EndToEndHarness, scenario: String, jobs: [String], hostile: [HostileRecord], began: ContinuousClock.Instant
    ) async throws -> ChaosAudit {
        let topics = try await harness.configuration().topics
        var audit = ChaosAudit(scenario: scenario)
        audit.submitted = jobs.count + hostile.count
        let outcomes = try await harness.allOutcomes(within: 30)
        let last = Dictionary(outcomes.map { ($0.jobId, $0) }, uniquingKeysWith: { $1 })
        audit.completed = last.values.count { $0.status == .completed }
        audit.failed = last.values.count { $0.status == .failed }
        audit.superseded = last.values.count { $0.status == .superseded }
        audit.unconfirmed = last.values.count { $0.status == .unconfirmed }
        audit.extraOutcomes = outcomes.count - last.count
        audit.notCompleted = last.values.filter { $0.status != .completed }

        let letters = try await harness.readToEnd(topics.deadLetters.name, partitions: 1, within: 30)
        audit.deadLettered = letters.count
        audit.deadLettersWithoutReason = letters.count { ($0.headerString(JobHeaders.error) ?? "").isEmpty }
        for letter in letters { audit.deadLetterKinds[letter.headerString(JobHeaders.errorKind) ?? "none", default: 0] += 1 }
        let letterIDs = Set(letters.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } })
        audit.lost = jobs.count { last[$0] == nil && !letterIDs.contains($0) } + hostile.count - HostileRecord.found(hostile, among: letters)

        let inspection = harness.simulator.inspect()
        audit.duplicatePublishes = Dictionary(grouping: inspection.publishes, by: \.spaceID).values.reduce(0) { $0 + $1.count - 1 }
        audit.inexactUploads = harness.inexactUploads().count
        audit.uncommitted = try await uncommittedMessages(harness)

        let jobRecords = try await harness.readToEnd(topics.jobs.name, partitions: 3, within: 60)
        let scan = SecretScan(secrets: harness.secrets)
        scan.scan(records: jobRecords + letters + (try await harness.readToEnd(topics.outcomes.name, partitions: 1, within: 30)))
        scan.scan(directory: harness.directory)
        (audit.secrets, audit.logLinesScanned, audit.recordsScanned) = scan.totals
        audit.seconds = (ContinuousClock.now - began).seconds
        return audit
    }

    /// Messages on the jobs topic past the group's committed offsets (read to the end
    /// by the records, not a watermark: PLATFORM-NOTES on Tansu).
    static func uncommittedMessages(_ harness: EndToEndHarness) async throws -> Int {
        let jobsTopic = try await harness.configuration().topics.jobs.name
        let ends = Dictionary(grouping: try await harness.readToEnd(jobsTopic, partitions: 3, within: 60), by: \.topicPartition)
            .mapValues { ($0.map(\.offset).max() ?? -1) + 1 }
        let committed = try await harness.committedJobOffsets()
        return ends.reduce(0) { sum, end in sum + Int(end.value - max(0, (committed[end.key] ?? nil) ?? 0)) }
    }
}
