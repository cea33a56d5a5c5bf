import Foundation

/// Records the outcome and sends the notifications: the outcome record first (it is the
/// audit trail), once per job — also when the message is run again after a worker died
/// before committing it (``OutcomeLedger``) — then e-mail and webhooks, once as far as
/// the envelope knows, retried on later slices if they fail.
struct NotifyStage: Stage {
    var env: SliceEnvironment

    func run(_ job: inout JobEnvelope, context: SliceContext) async throws -> StageStep {
        guard var result = job.result else { throw SliceFailure.deadLetter(.poison, "notify without a result") }
        defer { job.result = result }
        let record = OutcomeRecord(envelope: job, result: result, worker: env.records.workerID)
        if !result.outcomeRecorded {
            let outcomes = env.records.topics.outcomes.name
            if await env.alreadyProduced(on: outcomes, by: context.message, mayBeRedelivered: context.mayBeRedelivered, logger: context.logger) {
                // A run of this message was cut off after its outcome was acknowledged and
                // before the message was committed. Notifications are not in the outcome:
                // the envelope's flags decide, so they may repeat (README, Delivery).
                context.logger.notice("outcome already recorded by an earlier run of this message; not repeated")
            } else {
                try await env.deliver([env.records.outcome(record, input: context.message)], logger: context.logger)
                WorkerMetrics.jobEnded(outcome: result.status.rawValue, route: job.target.route, seconds: record.timings.totalSeconds)
                context.logger.info("outcome recorded", metadata: ["status": "\(result.status.rawValue)"])
            }
            result.outcomeRecorded = true
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
