import Baton
import BirstSimulator
import Foundation
import Kafka
import Logging

/// The story itself: reports land in S3, their events become jobs, the workers relay
/// them slice by slice while every hand-off is printed, and the summary closes it.
struct DemoJobs {
    var settings: DemoSettings
    var reports: [SampleReport]
    var ready: DemoSetup.Ready
    var resources: DemoResources
    var console: DemoConsole
    var logger: Logger
    var demoStart: Date

    /// Runs the jobs and tells `verdict` whether every one completed (and Birst got
    /// exactly what S3 holds). With `keepRunning` it then goes on printing hand-offs (of
    /// jobs published by hand) until cancelled.
    func run(verdict: @Sendable (Bool) -> Void) async throws {
        let uploads = try await ReportUploader(
            configuration: ready.configuration, environment: ready.environment, resources: resources, console: console, logger: logger
        ).upload(reports)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(ready.configuration.kafka.producerProperties), logger: logger)
        resources.register(producer)
        let publisher = JobPublisher(
            factory: JobFactory(routes: try ready.configuration.routeTable(), retries: ready.configuration.worker.retries),
            records: JobRecords(topics: ready.configuration.topics, workerID: "demo"), sink: producer, logger: logger)
        let reader = try ProgressReader(
            kafka: ready.configuration.kafka, topics: ready.configuration.topics, partitions: ready.partitions, logger: logger)
        resources.register(reader)

        let joinStart = Date()
        if try await resources.fleet.waitUntilAssigned(timeout: .seconds(30)) {
            console.step("group", "all \(settings.workers) workers joined consumer group \(DemoConfigFiles.consumerGroup) "
                + "(waited \(Formatting.seconds(Date().timeIntervalSince(joinStart))) s more)")
        } else {
            console.step("group", "not every worker has partitions after 30 s; publishing anyway")
        }
        console.line()
        let firstPublish = Date()
        let board = JobBoard()
        let printer = ProgressPrinter(origin: firstPublish, reportKeys: reports.map(\.key))
        console.line(printer.header)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let lines = OrderedLines()
            group.addTask {
                while let event = try await reader.next() {
                    lines.add(printer.line(for: event), at: event.at)
                    board.record(event)
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: .milliseconds(100))
                    console.lines(lines.release())
                }
            }
            try await publish(uploads, with: publisher, board: board)
            try await waitUntilFinished(board, since: firstPublish)
            console.lines(lines.release(all: true))
            verdict(await printSummary(board: board, uploads: uploads, firstPublish: firstPublish))
            if settings.keepRunning {
                console.line()
                console.lines(DemoExploreHint(ready: ready, settings: settings, reportKey: reports[0].key).lines)
                try await group.next()  // progress goes on until Ctrl-C
            }
            group.cancelAll()
        }
    }

    /// The table, the figures and the checks; returns whether the run succeeded.
    private func printSummary(board: JobBoard, uploads: [ReportUploader.Upload], firstPublish: Date) async -> Bool {
        let summary = DemoSummary(
            entries: board.expected, firstPublish: firstPublish, demoStart: demoStart, workers: settings.workers,
            slicesByWorker: board.slicesByWorker)
        console.line()
        console.lines(summary.tableLines())
        console.line()
        console.lines(summary.figureLines())
        let check = BirstCheck(inspection: ready.simulator.inspect(), reports: uploads.map { ($0.report.spaceId, $0.sha256) })
        console.line(check.line)
        console.line(await mailLine(expected: summary.completed))
        return summary.allCompleted && check.isConsistent
    }

    /// The first two reports at the same moment (the original story: two reports for
    /// different spaces arrive together), the others one second apart.
    private func publish(_ uploads: [ReportUploader.Upload], with publisher: JobPublisher, board: JobBoard) async throws {
        let batches = [Array(uploads.prefix(2))] + uploads.dropFirst(2).map { [$0] }
        for (index, batch) in batches.enumerated() {
            if index > 0 { try await Task.sleep(for: .seconds(1)) }
            let published = try await publisher.publish(batch.map(\.event))
            board.expect(published.map(\.made.jobId))
        }
    }

    private func waitUntilFinished(_ board: JobBoard, since start: Date) async throws {
        let deadline = start.addingTimeInterval(settings.timeout.seconds)
        while !board.allFinished {
            if Date() > deadline {
                console.line()
                console.line("!! timed out after \(Formatting.seconds(settings.timeout.seconds)) s; unfinished:")
                for entry in board.expected where entry.outcome == nil {
                    console.line("   \(Formatting.shortID(entry.jobId))  \(entry.key)  last seen at stage \(entry.stage) after \(entry.slices) slices")
                }
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Notification e-mails the local SMTP server received (they follow the outcomes
    /// closely; wait a moment for the last ones).
    private func mailLine(expected: Int) async -> String {
        let maildir = ready.environment["BATON_STACK_SMTP_MAILDIR"].map { $0 + "/new" } ?? ""
        var count = 0
        for _ in 0..<30 {
            count = (try? FileManager.default.contentsOfDirectory(atPath: maildir).count) ?? 0
            if count >= expected { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return "e-mail      \(count) notifications delivered to the local SMTP server (\(settings.stackDirectory)/maildir)"
    }
}
