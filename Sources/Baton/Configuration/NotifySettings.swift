/// How outcomes are announced: e-mail to the route's recipients (through `smtp`) and
/// an optional JSON webhook. Templates are Mustache; see config/baton.yaml for fields.
public struct NotifySettings: Sendable, Equatable {
    public var emailSubject: String
    public var emailBody: String
    /// Statuses that send e-mail (default: completed, failed, dead-lettered, unconfirmed).
    public var emailOn: [String]
    /// Webhook for every outcome, in addition to a route's own.
    public var webhook: String?
    public var webhookTimeout: Duration
    /// After this many failed attempts a notification is given up (the outcome record
    /// is kept regardless).
    public var maxAttempts: Int

    public static let defaultSubject = "[baton] {{status}}: s3://{{bucket}}/{{key}}"
    public static let defaultBody = """
        Job {{jobId}} {{status}}.

        Report:   s3://{{bucket}}/{{key}}
        Birst:    space {{spaceId}}, source {{sourceName}}
        {{#message}}Message:  {{message}}
        {{/message}}Slices:   {{slices}}
        Uploaded: {{bytesUploaded}} bytes
        Total:    {{totalSeconds}} s

        -- baton
        """

    static func load(_ settings: SettingsReader) throws -> NotifySettings {
        let statuses = settings.stringArray("notify.emailOn")
        for status in statuses where JobResult.Status(rawValue: status) == nil {
            throw ConfigurationError(key: "notify.emailOn", message: "unknown status \"\(status)\" (\(JobResult.Status.names))")
        }
        return NotifySettings(
            emailSubject: settings.string("notify.emailSubject", default: defaultSubject),
            emailBody: settings.reader.string(forKey: "notify.emailBody") ?? defaultBody,
            emailOn: statuses.isEmpty ? ["completed", "failed", "dead-lettered", "unconfirmed"] : statuses,
            webhook: settings.string("notify.webhook"),
            webhookTimeout: try settings.duration("notify.webhookTimeout", default: .seconds(10), minimum: .milliseconds(100)),
            maxAttempts: try settings.int("notify.maxAttempts", default: 8, range: 1...1000)
        )
    }
}
