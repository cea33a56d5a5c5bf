import Foundation

/// Records the outcome and sends the notifications, each exactly once per job as far
/// as the envelope knows: the outcome record first (it is the audit trail), then
/// e-mail and webhooks, which are retried on later slices if they fail.
struct NotifyStage: Stage {
    var env: SliceEnvironment

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        guard var result = job.result else { throw SliceFailure.deadLetter(.poison, "notify without a result") }
        defer { job.result = result }
        let record = OutcomeRecord(envelope: job, result: result, worker: env.records.workerID)
        if !result.outcomeRecorded {
            try await env.deliver([env.records.outcome(record)], logger: context.logger)
            result.outcomeRecorded = true
            WorkerMetrics.jobEnded(outcome: result.status.rawValue, route: job.target.route, seconds: record.timings.totalSeconds)
            context.logger.info("outcome recorded", metadata: ["status": "\(result.status.rawValue)"])
        }

        var failures: [String] = []
        if !result.emailSent {
            let recipients = env.notifier.emailRecipients(for: record, target: job.target)
            do {
                try await env.notifier.sendEmail(record, to: recipients)
                result.emailSent = true
                if !recipients.isEmpty { context.logger.info("e-mail sent", metadata: ["recipients": "\(recipients.count)"]) }
            } catch {
                failures.append("e-mail: \(error)")
            }
        }
        if !result.webhookSent {
            do {
                for url in env.notifier.webhooks(for: job.target) {
                    try await env.notifier.postWebhook(record, to: url)
                }
                result.webhookSent = true
            } catch {
                failures.append("webhook: \(error)")
            }
        }
        guard !failures.isEmpty else { return .finished }

        result.notifyAttempts += 1
        let message = failures.joined(separator: "; ")
        guard result.notifyAttempts < env.notifySettings.maxAttempts else {
            context.logger.error("giving up notifications; the outcome record stands", metadata: ["error": "\(message)", "attempts": "\(result.notifyAttempts)"])
            return .finished
        }
        job.lastError = JobError(kind: TransientKind.notify.rawValue, message: message, count: result.notifyAttempts)
        job.notBefore = env.clock.after(env.backoff.delay(afterFailures: result.notifyAttempts))
        context.logger.warning("notification failed; will retry", metadata: ["error": "\(message)", "attempt": "\(result.notifyAttempts)"])
        return .handOff(.notifyRetry)
    }
}
