import Kafka
import Logging

extension SliceEnvironment {
    /// Whether an earlier run of `message` already produced its record on `topic` (an
    /// outcome or a dead letter), asked only when the message may have been run before.
    ///
    /// A look-up that fails is answered false with a warning: the record is produced
    /// again (at least once, as without a ledger) rather than held back or lost; a
    /// broker that cannot be read is most likely one that cannot be written either, and
    /// the producer waits that out.
    func alreadyProduced(on topic: String, by message: KafkaMessage?, mayBeRedelivered: Bool, logger: Logger) async -> Bool {
        guard mayBeRedelivered, let ledger, let message else { return false }
        do {
            return try await ledger.hasRecord(on: topic, from: JobRecords.position(of: message), messageWrittenAt: message.timestamp)
        } catch {
            logger.warning("could not look up an earlier run's record; producing it (it may be a repeat)", metadata: [
                "topic": "\(topic)", "error": "\(error)",
            ])
            return false
        }
    }
}
