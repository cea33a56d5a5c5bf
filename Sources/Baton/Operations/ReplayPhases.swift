import Logging

/// Debug lines with the milliseconds since a replay began at each phase (topic described,
/// producer and reader created, first record, end of reading, last acknowledgement,
/// closed): where a replay's wall time goes (`--log-level debug`; docs/benchmarks.md).
struct ReplayPhases {
    let logger: Logger
    private let started = ContinuousClock.now

    init(logger: Logger) {
        self.logger = logger
    }

    func mark(_ phase: String, _ metadata: Logger.Metadata = [:]) {
        guard logger.logLevel <= .debug else { return }
        let elapsed = ContinuousClock.now - started
        var all = metadata
        all["elapsedMs"] = "\(elapsed.milliseconds)"
        logger.debug("replay: \(phase)", metadata: all)
    }
}
