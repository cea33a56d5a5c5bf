import ArgumentParser
import Baton
import Foundation

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Preflight: configuration, broker, topics, S3, Birst login, SMTP.",
        discussion: """
            Checks, in order, what a worker needs, each bounded by --timeout:
              config   the configuration loads (file, BATON_… variables, flags)
              broker   kafka.bootstrapServers answers a metadata request
              topics   the jobs, dead-letter and outcomes topics exist
              S3       a 1-byte GET in every bucket a route names (a missing key is fine)
              Birst    birst.username logs in with BATON_BIRST_PASSWORD (then logs out)
              SMTP     smtp.url answers EHLO (with STARTTLS/AUTH as configured) and NOOP
            Parts that are not configured (no smtp.url, no route naming a bucket) are skipped.

            Exit status: 0 when every part passed; otherwise the sum of the failed parts':
              1 config   2 broker   4 topics   8 S3   16 Birst   32 SMTP
            e.g. 20 = topics and Birst failed. 64: wrong usage.

            Examples:
              baton check
              baton check --config /etc/baton/baton.yaml --timeout 10s
              baton check || echo "failed parts: $?"
            """
    )

    @OptionGroup var config: ConfigOptions

    @Option(help: ArgumentHelp("How long each part may take.", valueName: "DURATION"))
    var timeout: String = "5s"

    func validate() throws {
        guard ConfigDuration.parse(timeout) != nil else { throw ValidationError("--timeout: \(ConfigDuration.problem(timeout))") }
    }

    func run() async throws {
        let configuration: BatonConfiguration
        let routes: RouteTable
        do {
            configuration = try await config.load()
            routes = try configuration.routeTable()
        } catch {
            Self.print(PreflightResult(.config, .failed, "\(error)"))
            throw ExitCode(PreflightResult.Part.config.exitBit)
        }
        let summary = "valid (\(routes.routes.count) route\(routes.routes.count == 1 ? "" : "s") in \(configuration.routing.file))"
        var results = [PreflightResult(.config, .passed, summary)]
        Self.print(results[0])
        let preflight = Preflight(configuration: configuration, timeout: ConfigDuration.parse(timeout)!, logger: .init(label: "baton.check"))
        for result in await preflight.run() {
            Self.print(result)
            results.append(result)
        }
        let status = PreflightResult.exitStatus(results)
        let failed = results.filter { $0.status == .failed }.map(\.part.title)
        Swift.print(failed.isEmpty ? "all checks passed" : "failed: \(failed.joined(separator: ", ")) (exit \(status))")
        if status != 0 { throw ExitCode(status) }
    }

    static func print(_ result: PreflightResult) {
        let title = result.part.title.padding(toLength: 12, withPad: " ", startingAt: 0)
        let status = result.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
        Swift.print("\(title)\(status)\(result.detail)")
        fflush(nil)  // each line as it is known, also into a pipe
    }
}
