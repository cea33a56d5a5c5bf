import Synchronization
internal import CRdKafka

/// A reference to one of librdkafka's queues, used only to wake a thread blocked in a
/// poll on it (`rd_kafka_queue_yield`). Released before the client is destroyed.
final class PollQueue: Sendable {
    private let queue: Mutex<SendablePointer?>

    private struct SendablePointer: @unchecked Sendable {
        // @unchecked: an rd_kafka_queue_t is thread-safe; access is serialized by the Mutex.
        var pointer: OpaquePointer
    }

    init(_ queue: OpaquePointer?) {
        self.queue = Mutex(queue.map { SendablePointer(pointer: $0) })
    }

    /// The client's main queue (a producer's delivery reports and errors).
    static func main(of handle: OpaquePointer) -> PollQueue {
        PollQueue(rd_kafka_queue_get_main(handle))
    }

    /// The consumer queue (messages, and with `serveFromConsumerQueue` everything else).
    static func consumer(of handle: OpaquePointer) -> PollQueue {
        PollQueue(rd_kafka_queue_get_consumer(handle))
    }

    func wake() {
        queue.withLock { queue in
            if let queue { rd_kafka_queue_yield(queue.pointer) }
        }
    }

    func destroy() {
        queue.withLock { queue in
            if let queue { rd_kafka_queue_destroy(queue.pointer) }
            queue = nil
        }
    }
}
