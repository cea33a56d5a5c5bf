import Baton
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The CPU one JSON log line costs: a typical job message ("handed on", with the job's
/// metadata on the logger and five fields of its own) written `lines` times to a sink
/// that drops it, by the current handler and by the previous one (sorted keys through
/// JSONSerialization), for comparison. Single-threaded, so CPU time is wall time.
struct LogBenchmark {
    var lines: Int
    var repetitions: Int

    func run() -> [Figure] {
        let sink = LogSink { _ in }
        let current = measure(JSONLogHandler(label: "baton.worker", level: .info, sink: sink))
        let previous = measure(PreviousJSONLogHandler(label: "baton.worker", level: .info, sink: sink))
        return [
            Figure("7 Logging", "CPU per JSON log line (job message, 10 fields), current handler", "µs", current),
            Figure("7 Logging", "  the same with the previous handler (sorted keys, JSONSerialization)", "µs", previous),
        ]
    }

    private func measure(_ handler: some LogHandler) -> [Double] {
        var logger = Logger(label: "baton.worker", factory: { _ in handler })
        logger[metadataKey: "jobId"] = "3f9c2e61b0a84d5e9f0c1a2b3c4d5e6f"
        logger[metadataKey: "stage"] = "awaitPublish"
        logger[metadataKey: "slice"] = "7"
        logger[metadataKey: "partition"] = "2"
        logger[metadataKey: "offset"] = "18234"
        var values: [Double] = []
        for repetition in 0...repetitions {
            let started = Self.cpuSeconds()
            for i in 0..<lines {
                logger.info("handed on", metadata: [
                    "handoff": "budget", "nextStage": "awaitPublish", "retriesLeft": "\(480 - i % 7)",
                    "uploadedBytes": "1048576", "worker": "worker-1",
                ])
            }
            let perLine = (Self.cpuSeconds() - started) / Double(lines) * 1e6
            if repetition > 0 { values.append(perLine) }  // the first is a warm-up
        }
        return values
    }

    static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
