import Curl
import Foundation

/// Sends outcome notifications: e-mail to a route's recipients, and the outcome record
/// as JSON to webhooks. Each call either succeeds or throws; retrying is the notify
/// stage's business, so a failure never loses the outcome.
public struct Notifier: Sendable {
    public var smtp: SMTPClient?
    public var from: String
    public var message: OutcomeMessage
    public var emailOn: Set<String>
    public var http: CurlClient
    /// Receives every outcome, besides a route's own webhook.
    public var webhook: String?
    public var webhookTimeout: Duration
    public var smtpTimeout: Duration

    public init(settings: NotifySettings, smtpSettings: SMTPSettings, http: CurlClient) throws {
        self.smtp = smtpSettings.url.map {
            SMTPClient(url: $0, username: smtpSettings.username, password: smtpSettings.password, http: http)
        }
        self.from = smtpSettings.from
        self.message = try OutcomeMessage(subject: settings.emailSubject, body: settings.emailBody)
        self.emailOn = Set(settings.emailOn)
        self.http = http
        self.webhook = settings.webhook
        self.webhookTimeout = settings.webhookTimeout
        self.smtpTimeout = smtpSettings.timeout
    }

    /// Recipients that should get an e-mail for this outcome; empty when e-mail is off.
    public func emailRecipients(for record: OutcomeRecord, target: JobTarget?) -> [String] {
        guard smtp != nil, emailOn.contains(record.status.rawValue) else { return [] }
        return target?.notifyEmail ?? []
    }

    public func webhooks(for target: JobTarget?) -> [String] {
        [webhook, target?.notifyWebhook].compactMap { $0 }
    }

    public func sendEmail(_ record: OutcomeRecord, to recipients: [String]) async throws {
        guard let smtp, !recipients.isEmpty else { return }
        let (subject, body) = message.render(record)
        try await smtp.send(
            SMTPMessage(
                from: from, to: recipients, subject: subject, body: body,
                extraHeaders: [HTTPHeader(name: "X-Baton-Job-Id", value: record.jobId)]
            ),
            timeout: smtpTimeout
        )
    }

    public func postWebhook(_ record: OutcomeRecord, to url: String) async throws {
        let response = try await http.execute(HTTPRequest(
            method: "POST", url: url,
            headers: [
                HTTPHeader(name: "Content-Type", value: "application/json"),
                HTTPHeader(name: "Idempotency-Key", value: record.jobId),
            ],
            body: OutcomeRecord.encode(record),
            timeout: webhookTimeout
        ))
        guard (200..<300).contains(response.status) else {
            throw WebhookError(url: url, status: response.status)
        }
    }

    public struct WebhookError: Error, CustomStringConvertible {
        public var url: String
        public var status: Int
        /// Webhook URLs often carry a token: it stays out of logs and envelopes.
        public var description: String { "webhook \(URLRedaction.redact(url)) answered HTTP \(status)" }
    }
}
