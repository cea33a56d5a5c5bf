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
