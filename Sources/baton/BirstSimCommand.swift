import ArgumentParser
import Baton
import BirstSimulator
import Foundation
import Logging

/// `baton birst-sim`: the simulated Birst Command Web Service, for the local demo,
/// benchmarks and tests. Flags override `--config FILE`, which overrides the defaults.
struct BirstSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "birst-sim",
        abstract: "Run a simulated Birst Command Web Service (SOAP 1.1) on /CommandWebService.asmx.",
        discussion: """
            With no configuration it accepts user baton / password baton-dev and any space id and \
            source name (spaces are created on first use). Several simulated servers sit behind \
            the one endpoint: Login sets the affinity cookie BirstAffinity, and tokens issued on one \
            server are unknown on the others. Durations are Birst time ("500ms", "15s", "5m", "1h") \
            and scale with --time-scale; injected latency is wall-clock.

            --config FILE is JSON; every key is optional: {"host", "port", "timeScale", "servers", \
            "users": {"name": "password"}, "spaces": [..], "sources": [..], "maxRecordedCalls", \
            "maxRequestBytes", "settings": {"uploadJob": {"durationSeconds", "status", "message"}, \
            "publishJob": {..}, "sessionIdleTimeoutSeconds", "faults": {"all": KNOBS, \
            "operations": {"uploadData": KNOBS}}}}, where KNOBS = {"latencySeconds", \
            "dropConnectionRate", "http500Rate", "transientFaultRate", "hostileXMLRate", \
            "dropResponseRate", "delayAfterApplySeconds", "delayAfterApplyRate", "delayAfterApplyCalls"} \
            (delayAfterApplySeconds: the call runs, then its answer waits that many wall-clock seconds: \
            "applied, then timed out"; delayAfterApplyRate: the share of calls delayed so, default 1; \
            delayAfterApplyCalls: delay only that many calls, then answer at once; default: no limit).

            Admin endpoints (JSON): GET /admin/inspect (uploads with bytes and SHA-256, publishes, \
            logins, calls); GET|PUT /admin/settings (job durations and outcomes, idle timeout, \
            faults); GET|PUT /admin/faults; POST /admin/clock/advance {"seconds": 601}; \
            POST /admin/servers/restart (every server forgets its login tokens).

            Examples:
              baton birst-sim --listen 127.0.0.1:8089 --time-scale 0.01
              baton birst-sim --listen 127.0.0.1:0 --user ops:secret --space space-finance
            """
    )

    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free port).")
    var listen: String = "127.0.0.1:8089"

    @Option(help: "Real time = Birst time x this (0.01: a 40-minute publish takes 24 s). Default 1.")
    var timeScale: Double?

    @Option(help: "Simulator configuration file (JSON, see above).")
    var config: String?

    @Option(help: "Number of simulated servers behind the endpoint. Default 3.")
    var servers: Int?

    @Option(name: .customLong("user"), help: "NAME:PASSWORD accepted by Login (repeatable; replaces baton:baton-dev).")
    var users: [String] = []

    @Option(name: .customLong("space"), help: "Known space id (repeatable). Default: any, created on first use.")
    var spaces: [String] = []

    @Option(name: .customLong("source"), help: "Allowed source name (repeatable). Default: any.")
    var sources: [String] = []

    @Option(help: "Login tokens expire after this long unused. Default 10m.")
    var sessionIdleTimeout: String?

    @Option(help: "Upload analysis time after finishDataUpload. Default 5s.")
    var uploadDuration: String?

    @Option(help: "Upload job statusCode when done: None, Complete or Failed. Default None.")
    var uploadStatus: String?

    @Option(help: "Upload job message when done (e.g. the failure reason).")
    var uploadMessage: String?

    @Option(help: "Publish (processing) time. Default 1m.")
    var publishDuration: String?

    @Option(help: "Publish job statusCode when done: Complete or Failed. Default Complete.")
    var publishStatus: String?

    @Option(help: "Publish job message when done (e.g. the failure reason).")
    var publishMessage: String?

    @Option(help: "Wall-clock latency added to every operation (not scaled), e.g. 200ms.")
    var latency: String?

    @Option(help: "Rate (0-1) of 'Server was unable to process request' SOAP faults.")
    var transientFaultRate: Double?

    @Option(name: .customLong("http500-rate"), help: "Rate (0-1) of plain HTTP 500 answers without a SOAP fault.")
    var http500Rate: Double?

    @Option(help: "Rate (0-1) of connections closed before the call runs.")
    var dropConnectionRate: Double?

    @Option(help: "Rate (0-1) of connections closed after the call ran (the answer is lost).")
    var dropResponseRate: Double?

    @Option(name: .customLong("hostile-xml-rate"), help: "Rate (0-1) of answers carrying a DOCTYPE with an external entity.")
    var hostileXMLRate: Double?

    @Option(
        name: .customLong("fault"),
        help: "Per-operation knob OPERATION:KNOB=VALUE (repeatable; OPERATION `all` for every one), e.g. uploadData:transientFaultRate=0.2 or publishData:latencySeconds=2s. Knobs, named as in --config's KNOBS: latencySeconds, dropConnectionRate, http500Rate, transientFaultRate, hostileXMLRate, dropResponseRate, delayAfterApplySeconds (after the call ran, before the answer), delayAfterApplyRate (share of calls delayed, default 1), delayAfterApplyCalls (delay only that many calls, then answer at once). Durations take 500ms, 2s, 1m or plain seconds; rates 0 to 1. The older spellings latency and delayAfterApply still work.")
    var operationFaults: [String] = []

    @Option(help: "Calls kept for /admin/inspect. Default 10000.")
    var maxRecordedCalls: Int?

    @Option(help: "trace, debug, info, notice, warning, error or critical (logs are JSON lines on stderr).")
    var logLevel: String = "info"

    func run() async throws {
        let configuration: SimulatorConfiguration
        do {
            configuration = try resolvedConfiguration()
        } catch let error as FaultSpec.Problem {
            throw Self.usageError(error.description)
        } catch let error as ValidationError {
            throw Self.usageError(error.message)
        }
        LogBootstrap.bootstrap(level: logLevel)  // JSON lines on stderr, like every command
        var logger = Logger(label: "baton.birst-sim")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let simulator = BirstSimulator(configuration: configuration, logger: logger)
        let host = configuration.host
        try await simulator.run { port in
            let line = "birst-sim listening on http://\(host):\(port)/CommandWebService.asmx\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }

    /// A bad flag value: the message alone and exit 64. Thrown from `run()`, a
    /// `ValidationError` would come with the usage of `baton` itself, which names no flag of
    /// this command.
    private static func usageError(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(message)\nSee 'baton birst-sim --help'.\n".utf8))
        return ExitCode.validationFailure
    }

    func resolvedConfiguration() throws -> SimulatorConfiguration {
        var result = SimulatorConfiguration()
        if let config {
            let data = try Data(contentsOf: URL(fileURLWithPath: config))
            result = try JSONDecoder().decode(SimulatorConfiguration.self, from: data)
        }
        let address = listen.split(separator: ":", omittingEmptySubsequences: false)
        guard address.count >= 2, let port = Int(address.last!), (0...65535).contains(port) else {
            throw ValidationError("--listen must be HOST:PORT, got \(listen)")
        }
        result.host = address.dropLast().joined(separator: ":")
        result.port = port
        if let timeScale {
            guard timeScale > 0 else { throw ValidationError("--time-scale must be positive") }
            result.timeScale = timeScale
        }
        if let servers { result.servers = max(1, servers) }
        if !users.isEmpty {
            result.users = [:]
            for user in users {
                guard let colon = user.firstIndex(of: ":") else { throw ValidationError("--user must be NAME:PASSWORD") }
                result.users[String(user[..<colon])] = String(user[user.index(after: colon)...])
            }
        }
        if !spaces.isEmpty { result.spaces = spaces }
        if !sources.isEmpty { result.sources = sources }
        if let maxRecordedCalls { result.maxRecordedCalls = maxRecordedCalls }
        try applyJobFlags(&result.settings)
        try applyFaultFlags(&result.settings.faults)
        return result
    }

    private func applyJobFlags(_ settings: inout SimulatorSettings) throws {
        if let sessionIdleTimeout { settings.sessionIdleTimeoutSeconds = try seconds(sessionIdleTimeout) }
        if let uploadDuration { settings.uploadJob.durationSeconds = try seconds(uploadDuration) }
        if let uploadStatus { settings.uploadJob.status = uploadStatus }
        if let uploadMessage { settings.uploadJob.message = uploadMessage }
        if let publishDuration { settings.publishJob.durationSeconds = try seconds(publishDuration) }
        if let publishStatus { settings.publishJob.status = publishStatus }
        if let publishMessage { settings.publishJob.message = publishMessage }
    }

    private func applyFaultFlags(_ faults: inout FaultPlan) throws {
        if let latency { faults.all.latencySeconds = try seconds(latency) }
        if let transientFaultRate { faults.all.transientFaultRate = try rate(transientFaultRate, flag: "--transient-fault-rate") }
        if let http500Rate { faults.all.http500Rate = try rate(http500Rate, flag: "--http500-rate") }
        if let dropConnectionRate { faults.all.dropConnectionRate = try rate(dropConnectionRate, flag: "--drop-connection-rate") }
        if let dropResponseRate { faults.all.dropResponseRate = try rate(dropResponseRate, flag: "--drop-response-rate") }
        if let hostileXMLRate { faults.all.hostileXMLRate = try rate(hostileXMLRate, flag: "--hostile-xml-rate") }
        for spec in operationFaults { try FaultSpec.apply(spec, to: &faults) }
    }

    private func rate(_ value: Double, flag: String) throws -> Double {
        guard (0...1).contains(value) else { throw ValidationError("\(flag) takes a rate from 0 to 1, got \(value)") }
        return value
    }

    /// "500ms", "15s", "5m", "1h", or plain seconds.
    private func seconds(_ text: String) throws -> Double {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value >= 0 { return value * factor }
        }
        if let value = Double(text), value >= 0 { return value }
        throw ValidationError("not a duration: \(text) (use e.g. 500ms, 15s, 5m, 1h)")
    }
}
