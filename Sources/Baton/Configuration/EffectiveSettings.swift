import Curl
import Foundation

/// One line of `baton config show`: a setting's effective value and where it came from.
public struct EffectiveSetting: Sendable, Equatable {
    public var key: String
    /// The value as Baton uses it; for secrets only whether one is set, never the value.
    public var value: String
    /// `default`, `file PATH`, `env BATON_…`, `flag`, or for secrets the variable or the
    /// secret file that provided them.
    public var source: String
    public var isSecret: Bool

    public init(key: String, value: String, source: String, isSecret: Bool = false) {
        self.key = key
        self.value = value
        self.source = source
        self.isSecret = isSecret
    }

    /// What a secret's value is shown as.
    public static let masked = "******"
}

extension BatonConfiguration {
    /// Every setting with its effective value and its source, in `config/baton.yaml`'s
    /// order. Secrets are masked: only whether each is set, and from where.
    public func effectiveSettings(_ sources: ConfigSources) -> [EffectiveSetting] {
        let fileKeys = sources.filePath.map(UnknownSettings.fileKeys) ?? []
        let filePath = sources.filePath ?? ""
        func source(_ key: String) -> String {
            if sources.flags[key] != nil { return "flag" }
            let variable = SettingsReader.environmentName(of: key)
            if let value = sources.environment[variable], !value.isEmpty { return "env \(variable)" }
            if fileKeys.contains(key) { return "file \(filePath)" }
            return "default"
        }
        func plain(_ key: String, _ value: String) -> EffectiveSetting {
            EffectiveSetting(key: key, value: value, source: source(key))
        }
        func secret(_ key: String, _ value: String?, fallback: String? = nil) -> EffectiveSetting {
            let variable = SettingsReader.environmentName(of: key)
            let from: String
            if let value = sources.environment[variable], !value.isEmpty {
                from = "env \(variable)"
            } else if sources.environment[SettingsReader.environmentName(of: key + "File")] != nil || fileKeys.contains(key + "File") || sources.flags[key + "File"] != nil {
                from = "secret file (\(key)File)"
            } else if let fallback, value != nil {
                from = "env \(fallback)"
            } else {
                from = "not set"
            }
            return EffectiveSetting(key: key, value: value == nil ? "" : EffectiveSetting.masked, source: from, isSecret: true)
        }
        let d = ConfigDuration.format
        func list(_ values: [String]) -> String { "[" + values.joined(separator: ", ") + "]" }
        let passedThrough = kafka.properties.filter { !KafkaSettings.secretProperties.keys.contains($0.key) }
        return [
            plain("kafka.bootstrapServers", kafka.bootstrapServers),
            plain("kafka.clientId", kafka.clientID),
            plain("kafka.groupId", kafka.groupID),
            plain("kafka.sessionTimeout", d(kafka.sessionTimeout)),
            plain("kafka.maxPollInterval", d(kafka.maxPollInterval)),
            plain("kafka.deliveryTimeout", d(kafka.deliveryTimeout)),
            plain("kafka.assignmentStrategy", kafka.assignmentStrategy),
            plain("kafka.properties", list(passedThrough.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })),
            secret("kafka.saslPassword", kafka.properties["sasl.password"]),
            secret("kafka.sslKeyPassword", kafka.properties["ssl.key.password"]),
            plain("topics.prefix", topics.prefix),
            plain("topics.jobs.name", topics.jobs.name),
            plain("topics.jobs.partitions", String(topics.jobs.partitions)),
            plain("topics.deadLetters.name", topics.deadLetters.name),
            plain("topics.deadLetters.partitions", String(topics.deadLetters.partitions)),
            plain("topics.outcomes.name", topics.outcomes.name),
            plain("topics.outcomes.partitions", String(topics.outcomes.partitions)),
            plain("topics.replicationFactor", String(topics.replicationFactor)),
            plain("s3.endpoint", s3.endpoint ?? ""),
            plain("s3.region", s3.region),
            plain("s3.pathStyle", String(s3.pathStyle)),
            plain("s3.accessKeyId", s3.accessKeyID ?? sources.environment["AWS_ACCESS_KEY_ID"] ?? ""),
            secret("s3.secretAccessKey", s3.secretAccessKey ?? sources.environment["AWS_SECRET_ACCESS_KEY"], fallback: "AWS_SECRET_ACCESS_KEY"),
            secret("s3.sessionToken", s3.sessionToken ?? sources.environment["AWS_SESSION_TOKEN"], fallback: "AWS_SESSION_TOKEN"),
            plain("s3.timeout", d(s3.timeout)),
            plain("smtp.url", smtp.url.map(URLRedaction.redact) ?? ""),
            plain("smtp.from", smtp.from),
            plain("smtp.username", smtp.username ?? ""),
            secret("smtp.password", smtp.password),
            plain("smtp.timeout", d(smtp.timeout)),
            plain("birst.endpoint", birst.endpoint),
            plain("birst.username", birst.username ?? ""),
            secret("birst.password", birst.password),
            plain("birst.callTimeout", d(birst.callTimeout)),
            plain("birst.publishTimeout", d(birst.publishTimeout)),
            plain("birst.chunkSize", String(birst.chunkSize)),
            plain("birst.pollInterval", d(birst.pollInterval)),
            plain("birst.maximumConnections", String(birst.maximumConnections)),
            plain("worker.concurrency", String(worker.concurrency)),
            plain("worker.sliceBudget", d(worker.sliceBudget)),
            plain("worker.safetyMargin", d(worker.safetyMargin)),
            plain("worker.retries", String(worker.retries)),
            plain("worker.maxJobAge", d(worker.maxJobAge)),
            plain("worker.maxSlices", String(worker.maxSlices)),
            plain("worker.shutdownGrace", d(worker.shutdownGrace)),
            plain("worker.backoffInitial", d(worker.backoffInitial)),
            plain("worker.backoffMax", d(worker.backoffMax)),
            plain("worker.environmentRecheck", d(worker.environmentRecheck)),
            plain("worker.benchmarkNoIO", String(worker.benchmarkNoIO)),
            plain("log.level", logLevel),
            plain("log.metricsInterval", d(metricsInterval)),
            plain("log.metricsPath", metricsPath ?? ""),
            plain("log.metricsMaxSize", String(metricsMaxSize)),
            plain("routing.file", routing.file),
            plain("notify.emailOn", list(notify.emailOn)),
            plain("notify.emailSubject", notify.emailSubject),
            plain("notify.emailBody", notify.emailBody == NotifySettings.defaultBody ? "(built-in template)" : "(\(notify.emailBody.count) characters)"),
            plain("notify.webhook", notify.webhook.map(URLRedaction.redact) ?? ""),
            plain("notify.webhookTimeout", d(notify.webhookTimeout)),
            plain("notify.maxAttempts", String(notify.maxAttempts)),
            plain("ingest.listen", ingest.listen),
            plain("ingest.maxBodySize", String(ingest.maxBodySize)),
            secret("ingest.token", ingest.token),
            secret("ingest.hmacSecret", ingest.hmacSecret),
            plain("ingest.allowUnauthenticated", String(ingest.allowUnauthenticated)),
            plain("ingest.sns.topicArns", list(ingest.sns.topicArns)),
            plain("ingest.sns.verifySignatures", String(ingest.sns.verifySignatures)),
            plain("ingest.sns.endpointPattern", ingest.sns.endpointPattern),
            plain("ingest.sns.timeout", d(ingest.sns.timeout)),
        ]
    }
}
