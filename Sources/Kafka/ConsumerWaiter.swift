/// A caller suspended in ``KafkaConsumer``: `next()`/`nextEvent()` wait for one event,
/// `nextBatch(max:)` for up to `max` of them.
enum ConsumerWaiter: Sendable {
    case one(CheckedContinuation<KafkaConsumerEvent?, any Error>, wantsEvents: Bool)
    case batch(CheckedContinuation<[KafkaConsumerEvent]?, any Error>, max: Int)

    /// Whether it takes end-of-partition events (batch readers always do).
    var wantsEvents: Bool {
        switch self {
        case .one(_, let wantsEvents): wantsEvents
        case .batch: true
        }
    }

    /// Answers the caller as ``ConsumerState/next(id:waiter:isCancelled:)`` decided (a
    /// one-event caller handed several gets the first; the state hands it one).
    func resolve(_ action: ConsumerState.NextAction) {
        switch (self, action) {
        case (_, .suspended): break
        case (_, .finished): finish()
        case (_, .fail(let error)): fail(error)
        case (.one(let continuation, _), .event(let event)): continuation.resume(returning: event)
        case (.one(let continuation, _), .events(let events)): continuation.resume(returning: events.first)
        case (.batch(let continuation, _), .event(let event)): continuation.resume(returning: [event])
        case (.batch(let continuation, _), .events(let events)): continuation.resume(returning: events)
        }
    }

    /// The consumer is closing: the caller gets nil.
    func finish() {
        switch self {
        case .one(let continuation, _): continuation.resume(returning: nil)
        case .batch(let continuation, _): continuation.resume(returning: nil)
        }
    }

    func fail(_ error: any Error) {
        switch self {
        case .one(let continuation, _): continuation.resume(throwing: error)
        case .batch(let continuation, _): continuation.resume(throwing: error)
        }
    }
}

/// Events for a waiter, handed over outside the consumer's lock by ``resume()``.
enum ConsumerHandoff: Sendable {
    case one(CheckedContinuation<KafkaConsumerEvent?, any Error>, KafkaConsumerEvent)
    case batch(CheckedContinuation<[KafkaConsumerEvent]?, any Error>, [KafkaConsumerEvent])

    func resume() {
        switch self {
        case .one(let continuation, let event): continuation.resume(returning: event)
        case .batch(let continuation, let events): continuation.resume(returning: events)
        }
    }

    /// The events handed over (for tests).
    var events: [KafkaConsumerEvent] {
        switch self {
        case .one(_, let event): [event]
        case .batch(_, let events): events
        }
    }
}
