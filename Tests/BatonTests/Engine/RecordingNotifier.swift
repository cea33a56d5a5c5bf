import Baton
import Synchronization

/// An ``OutcomeNotifier`` that records the e-mails and webhook posts it is asked for;
/// each channel can be made to fail.
final class RecordingNotifier: OutcomeNotifier {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private struct State {
        var emails: [(jobId: String, to: [String])] = []
        var webhookPosts: [(jobId: String, url: String)] = []
        var emailFails = false
        var webhookFails = false
    }

    private let state = Mutex(State())
    let recipients: [String]
    let webhookURLs: [String]

    init(recipients: [String] = ["ops@example.com"], webhooks: [String] = ["http://hooks.example/outcome"]) {
        self.recipients = recipients
        self.webhookURLs = webhooks
    }

    var emails: [(jobId: String, to: [String])] { state.withLock { $0.emails } }
    var webhookPosts: [(jobId: String, url: String)] { state.withLock { $0.webhookPosts } }

    func fail(email: Bool, webhook: Bool) {
        state.withLock {
            $0.emailFails = email
            $0.webhookFails = webhook
        }
    }

    func emailRecipients(for record: OutcomeRecord, target: JobTarget?) -> [String] { recipients }

    func webhooks(for target: JobTarget?) -> [String] { webhookURLs }

    func sendEmail(_ record: OutcomeRecord, to recipients: [String]) async throws {
        try state.withLock { state in
            if state.emailFails { throw Failure(description: "SMTP 451 try again later") }
            state.emails.append((record.jobId, recipients))
        }
    }

    func postWebhook(_ record: OutcomeRecord, to url: String) async throws {
        try state.withLock { state in
            if state.webhookFails { throw Failure(description: "HTTP 503 from \(url)") }
            state.webhookPosts.append((record.jobId, url))
        }
    }
}
