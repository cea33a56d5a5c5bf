import Foundation
import Logging
import Synchronization
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// One `baton demo`: sets up, runs the jobs, and stops everything it started — after
/// success, an error, or SIGINT/SIGTERM at any point (a second signal kills the workers
/// instead of waiting for their graceful stop).
struct DemoRun {
    var settings: DemoSettings
    var console = DemoConsole()
    var logger: Logger

    /// The process exit status: 0 if every job completed, 1 if not (or on an error), 130
    /// when interrupted before the jobs were done.
    func execute() async -> Int32 {
        let demoStart = Date()
        // Output to a pipe whose reader is gone (`make demo | tee log`, Ctrl-C) must not
        // kill the demo before it has stopped its workers and the stack.
        signal(SIGPIPE, SIG_IGN)
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let resources = DemoResources()
        let verdict = Mutex<Bool?>(nil)
        let interrupted = Atomic<Int>(0)
        let reports = Array(SampleReport.catalogue.prefix(settings.reports))
        let (settings, console, logger) = (self.settings, self.console, self.logger)

        console.line("Baton demo: \(reports.count) reports, \(settings.workers) workers, slices of "
            + "\(Formatting.seconds(settings.sliceBudget.seconds)) s, Birst publishes of 40 min taking \(Formatting.seconds(settings.publishSeconds)) s")
        let main = Task {
            let ready = try await DemoSetup(settings: settings, reports: reports, resources: resources, console: console, logger: logger).run()
            try await DemoJobs(
                settings: settings, reports: reports, ready: ready, resources: resources, console: console, logger: logger,
                demoStart: demoStart
            ).run { ok in verdict.withLock { $0 = ok } }
        }
        let watcher = Task {
            for await signal in signals {
                if interrupted.add(1, ordering: .relaxed).newValue == 1 {
                    console.line("\n\(signal): stopping everything the demo started (again to kill the workers at once)")
                    main.cancel()
                } else {
                    let killed = resources.fleet.killAll()
                    console.line("\(signal) again: " + (killed > 0 ? "killed \(killed) workers" : "no worker left to kill; still stopping"))
                }
            }
        }

        let result = await main.result
        if case .failure(let error) = result, !(error is CancellationError), interrupted.load(ordering: .relaxed) == 0 {
            console.line("!! demo failed: \(error)")
        }
        console.line()
        await resources.stopAll(console: console)
        watcher.cancel()

        if let ok = verdict.withLock({ $0 }) { return ok ? 0 : 1 }
        return interrupted.load(ordering: .relaxed) > 0 ? 130 : 1
    }
}
