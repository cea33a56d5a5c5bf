import Dispatch
import Logging
import Synchronization

/// Object behind librdkafka's `opaque` pointer: the callbacks find their Swift state
/// through it. Retained by the client from just before `rd_kafka_new` until after
/// `rd_kafka_destroy` has returned, so no callback can outlive it.
class RdKafkaContext: @unchecked Sendable {
    // @unchecked: subclasses only add `let` properties and Mutex-protected state.
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// A fatal error was raised (served from the poll thread).
    func fatalErrorRaised(_ error: KafkaError) {}
}
