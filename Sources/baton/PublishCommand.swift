import ArgumentParser
import Baton
import Foundation
import Logging
import Synchronization
import UnixSignals

struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish jobs for S3 objects: one by URI, or every object in an S3 event notification.",
        discussion: """
            The routes (routing.file) decide each job's Birst space and source; an object no \
            route matches is recorded on the outcomes topic as `unrouted`. --event accepts S3's \
            notification document (Records), the same wrapped in SNS (HTTP or Lambda form) or \
            SQS, EventBridge "Object Created" events and MinIO webhooks. Keys in events are \
            URL-decoded; a key given as s3://BUCKET/KEY is taken literally. The command returns \
            once the broker acknowledged every job, and always ends with a summary: jobs \
            published, objects unrouted, records skipped (each with its reason).

            Examples:
              baton publish s3://reports/daily/2026-11-27.csv
              baton publish --event notification.json
              aws s3api … | baton publish --event -
            """
    )

    @OptionGroup var config: ConfigOptions

    @Argument(help: ArgumentHelp("The object, as s3://BUCKET/KEY.", valueName: "s3://BUCKET/KEY"))
    var uri: String?

    @Option(help: "The object's size in bytes (saves the worker a HEAD request).")
    var size: Int?

    @Option(help: "The object's version id (versioned buckets); part of the job id.")
    var versionId: String?

    @Option(name: .customLong("etag"), help: "The object's ETag; part of the job id when there is no version id.")
    var eTag: String?

    @Option(help: ArgumentHelp("Read an S3 event notification from FILE, or from standard input with -.", valueName: "FILE|-"))
    var event: String?

    @Flag(help: "Print the result as JSON lines.")
    var json = false

    func validate() throws {
        guard (uri == nil) != (event == nil) else {
            throw ValidationError("give either s3://BUCKET/KEY or --event FILE|-, not both and not neither")
        }
        if event != nil, size != nil || versionId != nil || eTag != nil {
            throw ValidationError("--size, --version-id and --etag describe an s3:// URI; an event carries its own")
        }
        if let size, size < 0 { throw ValidationError("--size must not be negative") }
    }

    func run() async throws {
        // First of all: Ctrl-C or SIGTERM at any moment ends the command promptly and says
        // what was published (one that came while the process started was recorded by
        // EarlySignals).
        let interruption = PublishInterruption(signals: await UnixSignalsSequence(trapping: .sigint, .sigterm), early: EarlySignals.caught())
        let configuration = try await config.load()
        let input = Result {
            try uri.map { try PublishInput.object(uri: $0, size: size, eTag: eTag, versionId: versionId) } ?? PublishInput.notification(readPayload())
        }
        if case .failure(let unusable as UnusableNotification) = input {
            // Input that is not an S3 event is a usage error (64), and the command still ends
            // with its summary: a script reads "nothing published" the same way every time.
            printError("baton publish: not a usable S3 event: \(unusable)")
            for line in PublishSummary.unusable(reason: "\(unusable)", json: json) { print(line) }
            throw ExitCode(64)
        }
        let events = try input.get()
        let logger = Logger(label: "baton.publish")
        let clients = KafkaClients(configuration: configuration, logger: logger)
        let producer = try clients.producer()
        let publisher = try clients.publisher(through: producer, workerID: "publish-\(ProcessInfo.processInfo.processIdentifier)")
        // From here a signal shuts the producer down at once: sends still waiting for the
        // broker (one that is down: up to kafka.deliveryTimeout) fail, and publish returns.
        interruption.whilePublishing { await producer.shutdown(timeout: .zero) }
        let published: [JobPublisher.Published]
        do {
            published = try await publisher.publish(events.events)
        } catch let incomplete as JobPublisher.Incomplete {
            await producer.shutdown(timeout: .seconds(5))
            for item in incomplete.published { print(PublishReport.line(item, json: json)) }
            let signal = interruption.caught
            printError(PublishReport.incomplete(incomplete, interruptedBy: signal.map { "\($0)" }))
            throw ExitCode(signal.map { 128 + $0.rawValue } ?? 1)
        } catch {
            await producer.shutdown(timeout: .seconds(5))
            throw error
        }
        interruption.finished()
        await producer.shutdown(timeout: .seconds(10))
        for item in published { print(PublishReport.line(item, json: json)) }
        for line in PublishSummary.lines(published, skipped: events.skipped.map { ($0.path, $0.reason) }, json: json) { print(line) }
    }

    /// The notification `--event` names: a file, or standard input for `-`.
    private func readPayload() throws -> [UInt8] {
        if event == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: event!) else { throw ValidationError("cannot read \(event!)") }
        return Array(data)
    }
}

/// A line on standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

extension UnixSignal {
    /// SIGTERM or SIGINT by number (the two that `EarlySignals` records).
    static func named(_ number: Int32) -> UnixSignal {
        number == SIGINT ? .sigint : .sigterm
    }
}
