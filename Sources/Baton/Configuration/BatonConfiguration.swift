/// Every setting of DESIGN.md in one value, read once at start-up from
/// `config/baton.yaml` (or `--config`), `BATON_…` environment variables and flags.
/// `config/baton.yaml` documents each setting.
public struct BatonConfiguration: Sendable, Equatable {
    public var kafka: KafkaSettings
    public var topics: TopicSettings
    public var s3: S3Settings
    public var smtp: SMTPSettings
    public var birst: BirstSettings
    public var worker: WorkerSettings
    public var notify: NotifySettings
    public var routing: RoutingSettings
    public var ingest: IngestSettings
    public var logLevel: String
    /// How often `baton worker` writes its metrics as EMF lines into the log
    /// (`log.metricsInterval`, default 10s).
    public var metricsInterval: Duration = .seconds(10)
    /// A file that receives a copy of those EMF lines (`log.metricsPath`, default none),
    /// for a `baton metrics --follow` sidecar; rotated at ``metricsMaxSize`` bytes.
    public var metricsPath: String?
    /// Bytes after which the file at ``metricsPath`` is rotated to `<path>.1`
    /// (`log.metricsMaxSize`, default 1 MiB).
    public var metricsMaxSize: Int = 1 << 20
    /// Directory relative paths in the configuration are resolved against.
    public var baseDirectory: String

    /// `BATON_…` environment variables that match no setting: probably misspelt.
    public var unknownEnvironment: [String] = []

    /// - Throws: `ConfigurationError` naming the setting and, when the command line gave
    ///   the value, the flag that did.
    public static func load(_ sources: ConfigSources) async throws -> BatonConfiguration {
        let accessed = AccessedKeys()
        let settings = try await sources.settingsReader(reporter: accessed)
        var configuration: BatonConfiguration
        do {
            configuration = try load(settings, baseDirectory: sources.baseDirectory)
        } catch var error as ConfigurationError {
            error.commandLineSource = error.commandLineSource ?? sources.commandLineSource(of: error.key)
            throw error
        }
        if let file = sources.filePath { try UnknownSettings.check(file: file, accessed: accessed.all) }
        try UnknownSettings.check(flags: sources.flags.keys, accessed: accessed.all)
        configuration.unknownEnvironment = UnknownSettings.unknownEnvironment(sources.environment, accessed: accessed.all)
        return configuration
    }

    public static func load(_ settings: SettingsReader, baseDirectory: String = ".") throws -> BatonConfiguration {
        let level = settings.string("log.level", default: "info").lowercased()
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) else {
            throw ConfigurationError(key: "log.level", message: "expected trace, debug, info, notice, warning, error or critical, got \"\(level)\"")
        }
        var configuration = BatonConfiguration(
            kafka: try KafkaSettings.load(settings),
            topics: try TopicSettings.load(settings),
            s3: try S3Settings.load(settings),
            smtp: try SMTPSettings.load(settings),
            birst: try BirstSettings.load(settings),
            worker: try WorkerSettings.load(settings),
            notify: try NotifySettings.load(settings),
            routing: RoutingSettings.load(settings),
            ingest: try IngestSettings.load(settings),
            logLevel: level,
            baseDirectory: baseDirectory
        )
        configuration.metricsInterval = try settings.duration("log.metricsInterval", default: .seconds(10), minimum: .milliseconds(100))
        configuration.metricsPath = settings.string("log.metricsPath")
        configuration.metricsMaxSize = try settings.byteCount("log.metricsMaxSize", default: 1 << 20, range: 4096...(1 << 30))
        return configuration
    }
}

extension BatonConfiguration {
    public func routeTable() throws -> RouteTable {
        try routing.load(baseDirectory: baseDirectory)
    }
}
