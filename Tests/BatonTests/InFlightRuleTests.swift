@testable import Baton
import Foundation
import Testing

/// `baton jobs`: when a job's newest envelope on the jobs topic counts as finished.
@Suite("baton jobs: in flight or finished")
struct InFlightRuleTests {
    let rule = InFlightRule(jobsTopic: "baton.jobs")
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func at(_ offset: Int64, partition: Int32 = 1, seconds: Double = 0) -> InFlightRule.Position {
        InFlightRule.Position(partition: partition, offset: offset, timestamp: t0.addingTimeInterval(seconds))
    }

    func outcome(from offset: Int64?, partition: Int32 = 1, topic: String = "baton.jobs", seconds: Double) -> InFlightRule.OutcomeMark {
        InFlightRule.OutcomeMark(source: offset.map { RecordPosition(topic: topic, partition: partition, offset: $0) }, timestamp: t0.addingTimeInterval(seconds))
    }

    @Test("a notify retry: pending until the workers commit past it, then finished although nothing newer was written")
    func notifyRetry() {
        // Offset 40 ran the notify stage: outcome recorded (naming 40), the webhook failed,
        // the retry handed on as offset 52.
        let outcomes = [outcome(from: 40, seconds: 1)]
        #expect(rule.state(newest: at(52, seconds: 2), outcomeAwaitsNotifications: true, outcomes: outcomes, committed: nil) == .notificationsPending)
        #expect(rule.state(newest: at(52, seconds: 2), outcomeAwaitsNotifications: true, outcomes: outcomes, committed: 52) == .notificationsPending,
                "committed up to 52 (exclusive): the retry has not ended")
        #expect(rule.state(newest: at(52, seconds: 2), outcomeAwaitsNotifications: true, outcomes: outcomes, committed: 53) == .finished,
                "the retry delivered or gave up, and its message was committed")
    }

    @Test("an outcome naming the newest envelope finishes the job before the commit follows")
    func outcomeBeforeCommit() {
        #expect(rule.state(newest: at(40), outcomeAwaitsNotifications: false, outcomes: [outcome(from: 40, seconds: -5)], committed: 12) == .finished,
                "by offset, not by timestamps: the worker's clock may lag the producer's")
        #expect(rule.state(newest: at(40), outcomeAwaitsNotifications: false, outcomes: [], committed: 12) == .inProgress)
    }

    @Test("a replayed job is in flight again: its old outcome names an older message, however the clocks stand")
    func replayedJob() {
        let old = [outcome(from: 40, seconds: 10)]
        #expect(rule.state(newest: at(90, seconds: 5), outcomeAwaitsNotifications: false, outcomes: old, committed: 41) == .inProgress)
        #expect(rule.state(newest: at(90, seconds: 5), outcomeAwaitsNotifications: false, outcomes: old, committed: 91) == .finished)
    }

    @Test("outcomes without baton-source, or from another partition or topic, count by timestamp")
    func byTimestamp() {
        let newest = at(7, seconds: 10)
        for (mark, state) in [
            (outcome(from: nil, seconds: 10), JobState.finished), (outcome(from: nil, seconds: 9), .inProgress),
            (outcome(from: 3, partition: 2, seconds: 11), .finished), (outcome(from: 99, partition: 2, seconds: 9), .inProgress),
            (outcome(from: 99, topic: "other.jobs", seconds: 9), .inProgress),
        ] {
            #expect(rule.state(newest: newest, outcomeAwaitsNotifications: false, outcomes: [mark], committed: nil) == state, "\(mark)")
        }
    }

    @Test("baton-source positions read back; anything else is no position")
    func positions() {
        #expect(RecordPosition("baton.jobs/2/1234") == RecordPosition(topic: "baton.jobs", partition: 2, offset: 1234))
        #expect(RecordPosition("baton.jobs/2/1234")?.description == "baton.jobs/2/1234")
        for text in ["", "baton.jobs", "baton.jobs/2", "/2/3", "baton.jobs/x/3", "baton.jobs/2/"] { #expect(RecordPosition(text) == nil, "\(text)") }
    }

    @Test("the note names the partitions where the group committed nothing, only those asked about")
    func caveat() {
        let commits = GroupCommits(group: "baton-workers", offsets: [0: 10])
        #expect(commits.caveat(forPartitions: [0]) == nil)
        #expect(commits.caveat(forPartitions: []) == nil)
        #expect(commits.caveat(forPartitions: [2, 0, 1])?.contains("has committed nothing on partitions 1, 2 of the jobs topic") == true)
        #expect(GroupCommits(group: "g", failure: "timed out").caveat(forPartitions: [3])?.contains("could not read group g's committed offsets (timed out)") == true)
    }
}
