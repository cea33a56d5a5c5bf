import Curl

/// How the notify stage tells people about an outcome: e-mail to a route's recipients and
/// the outcome record to webhooks. ``Notifier`` sends them over SMTP and HTTP; a unit test
/// records them. Each call succeeds or throws; the notify stage retries.
public protocol OutcomeNotifier: Sendable {
    /// The addresses that get an e-mail for `record` (empty when e-mail is off for it).
    func emailRecipients(for record: OutcomeRecord, target: JobTarget?) -> [String]
    /// Webhook URLs that get `record`.
    func webhooks(for target: JobTarget?) -> [String]
    /// Sends the outcome's e-mail to `recipients` (nothing when empty).
    func sendEmail(_ record: OutcomeRecord, to recipients: [String]) async throws
    /// POSTs `record` as JSON to `url`; a status outside 2xx throws.
    func postWebhook(_ record: OutcomeRecord, to url: String) async throws
}

extension Notifier: OutcomeNotifier {}
