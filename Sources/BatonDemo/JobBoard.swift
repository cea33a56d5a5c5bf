import Baton
import Foundation
import Synchronization

/// What the demo knows about each job: where it was last seen and how it ended.
final class JobBoard: Sendable {
    struct Entry: Sendable {
        var jobId: String
        var key: String
        var spaceId: String
        var stage: String
        var slices: Int
        var uploadedBytes: Int
        var outcome: OutcomeRecord?
        var outcomeAt: Date?
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Jobs the demo published, in publishing order.
        var expected: [String] = []
        /// Slices seen ending, by the worker that ran them.
        var slicesByWorker: [String: Int] = [:]
    }

    private let state = Mutex(State())

    /// Records an event; returns the entry as it was before (nil for a job not seen yet).
    @discardableResult
    func record(_ event: ProgressEvent) -> Entry? {
        state.withLock { state in
            switch event {
            case .handoff(let job, let worker, _, _):
                if let worker { state.slicesByWorker[worker, default: 0] += 1 }
                let previous = state.entries[job.jobId]
                var entry = previous ?? Entry(
                    jobId: job.jobId, key: job.source.key, spaceId: job.target.spaceId, stage: job.stage.rawValue,
                    slices: 0, uploadedBytes: 0)
                // Continuations of one job are in order (same key, same partition).
                if entry.outcome == nil {
                    entry.stage = job.stage.rawValue
                    entry.slices = job.slices
                    entry.uploadedBytes = job.birst.uploadedBytes
                }
                state.entries[job.jobId] = entry
                return previous
            case .outcome(let record, let at):
                if let worker = record.worker, state.entries[record.jobId]?.outcome == nil {
                    state.slicesByWorker[worker, default: 0] += 1
                }
                let previous = state.entries[record.jobId]
                var entry = previous ?? Entry(
                    jobId: record.jobId, key: record.source?.key ?? "?", spaceId: record.target?.spaceId ?? "-",
                    stage: record.status.rawValue, slices: record.slices, uploadedBytes: record.bytesUploaded)
                entry.stage = record.status.rawValue
                entry.slices = record.slices
                entry.uploadedBytes = record.bytesUploaded
                entry.outcome = record
                entry.outcomeAt = at
                state.entries[record.jobId] = entry
                return previous
            }
        }
    }

    func expect(_ jobIds: [String]) {
        state.withLock { $0.expected.append(contentsOf: jobIds) }
    }

    /// The published jobs, in publishing order.
    var expected: [Entry] {
        state.withLock { state in
            state.expected.map { id in
                state.entries[id] ?? Entry(jobId: id, key: "?", spaceId: "-", stage: "not seen", slices: 0, uploadedBytes: 0)
            }
        }
    }

    var slicesByWorker: [String: Int] { state.withLock { $0.slicesByWorker } }

    /// Every published job has an outcome.
    var allFinished: Bool {
        state.withLock { state in state.expected.allSatisfy { state.entries[$0]?.outcome != nil } }
    }
}
