import Dispatch
import Logging
import Synchronization
internal import CRdKafka

/// The consumer's shared state and the code its poll thread runs: message intake,
/// librdkafka pause reconciliation and the rebalance callback.
final class ConsumerContext: RdKafkaContext, @unchecked Sendable {
    // @unchecked: only `let`s plus Mutex-protected state.
    let state: Mutex<ConsumerState>
    let options: KafkaConsumerOptions
    typealias RebalanceHandler = @Sendable (RebalanceEvent) async -> Void
    /// Dropped once the consumer is closed, so a handler that captures the consumer does
    /// not keep it alive.
    private let onRebalance: Mutex<RebalanceHandler?>
    /// Names for the messages the poll thread copies (only it takes this lock).
    private let names = Mutex(NameCache())

    init(logger: Logger, options: KafkaConsumerOptions, onRebalance: RebalanceHandler?) {
        self.state = Mutex(ConsumerState(options: options))
        self.options = options
        self.onRebalance = Mutex(onRebalance)
        super.init(logger: logger)
    }

    func dropRebalanceHandler() {
        onRebalance.withLock { $0 = nil }
    }

    override func fatalErrorRaised(_ error: KafkaError) {
        let waiters = state.withLock { $0.fail(error) }
        for waiter in waiters { waiter.fail(error) }
    }

    // MARK: poll thread

    /// One result of `rd_kafka_consumer_poll`. Returns whether the poll thread may go on
    /// draining librdkafka's queue: a message was taken and no pause waits to be reconciled.
    func consume(_ m: UnsafeMutablePointer<rd_kafka_message_t>, handle: OpaquePointer) -> Bool {
        let err = m.pointee.err
        if err.isError {
            switch err {
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                let tp = TopicPartition(
                    topic: m.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "",
                    partition: m.pointee.partition)
                if case .deliver(let handoff) = state.withLock({
                    $0.receiveEndOfPartition(tp, offset: m.pointee.offset)
                }) {
                    handoff.resume()
                }
            case RD_KAFKA_RESP_ERR__FATAL:
                fatalErrorRaised(KafkaError.fatal(handle))
            default:
                let text = rd_kafka_message_errstr(m).map { String(cString: $0) } ?? ""
                logger.warning("Kafka consumer error \(String(cString: rd_kafka_err2name(err))): \(text)")
            }
            return false
        }
        let message = names.withLock { KafkaMessage(copying: m, names: &$0) }
        let (action, keepDraining) = state.withLock { state in
            (state.receive(message), !state.needsReconcile && state.lifecycle == .running)
        }
        switch action {
        case .deliver(let handoff):
            handoff.resume()
        case .buffered:
            break
        case .dropped:
            logger.debug("dropped a message of \(message.topicPartition), which is no longer assigned")
        }
        return keepDraining
    }

    /// Brings librdkafka's paused partitions in line with ours.
    func reconcilePauses(handle: OpaquePointer) {
        guard let (pause, resume) = state.withLock({ $0.needsReconcile ? $0.reconcile() : nil }) else { return }
        if !pause.isEmpty {
            let list = RdKafkaTopicPartitionList(pause)
            check(list.withPointer { rd_kafka_pause_partitions(handle, $0) }, list, "pause")
            logger.debug("paused fetching \(pause.map(\.description).joined(separator: ", "))")
        }
        if !resume.isEmpty {
            let list = RdKafkaTopicPartitionList(resume)
            check(list.withPointer { rd_kafka_resume_partitions(handle, $0) }, list, "resume")
            logger.debug("resumed fetching \(resume.map(\.description).joined(separator: ", "))")
        }
    }

    private func check(_ err: rd_kafka_resp_err_t, _ list: RdKafkaTopicPartitionList, _ what: String) {
        if err.isError {
            logger.error("Kafka consumer: \(what) failed: \(KafkaError(err))")
        }
        for entry in list.entries where entry.err.isError {
            logger.warning("Kafka consumer: \(what) \(entry.topicPartition) failed: \(KafkaError(entry.err))")
        }
    }

    /// The rebalance callback, on the poll thread (inside consumer_poll or consumer_close).
    func rebalance(
        handle: OpaquePointer,
        err: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let tps = RdKafkaTopicPartitionList.partitions(of: partitions).sorted()
        let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
        let described = tps.map(\.description).joined(separator: ", ")

        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, partitions) {
                    logger.error("Kafka consumer: incremental assign failed: \(KafkaError(consuming: error))")
                }
            } else {
                let result = rd_kafka_assign(handle, partitions)
                if result.isError { logger.error("Kafka consumer: assign failed: \(KafkaError(result))") }
            }
            state.withLock { $0.assign(tps, replacing: !cooperative) }
            if !tps.isEmpty {
                logger.info("Kafka consumer: assigned \(described)", metadata: ["kafka.protocol": "\(cooperative ? "cooperative" : "eager")"])
                report(.assigned(tps))
            }

        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(handle) != 0
            // Drop the buffers first: nothing of these partitions is delivered from now on.
            let stillPaused = state.withLock { $0.revoke(tps) }
            if !stillPaused.isEmpty {
                let list = RdKafkaTopicPartitionList(stillPaused)
                check(list.withPointer { rd_kafka_resume_partitions(handle, $0) }, list, "resume before revoke")
            }
            if !tps.isEmpty {
                logger.info("Kafka consumer: \(lost ? "lost" : "revoked") \(described)")
                report(lost ? .lost(tps) : .revoked(tps))
            }
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, partitions) {
                    logger.error("Kafka consumer: incremental unassign failed: \(KafkaError(consuming: error))")
                }
            } else {
                let result = rd_kafka_assign(handle, nil)
                if result.isError { logger.error("Kafka consumer: unassign failed: \(KafkaError(result))") }
            }

        default:
            logger.error("Kafka consumer: rebalance error \(KafkaError(err)); dropping the assignment")
            let all = state.withLock { state in
                let all = Array(state.assigned)
                _ = state.revoke(all)
                return all
            }
            if !all.isEmpty { report(.lost(all.sorted())) }
            _ = rd_kafka_assign(handle, nil)
        }
    }

    /// Runs the application's handler and waits for it, at most the handoff timeout. The
    /// poll thread is ours, so waiting here blocks no Swift concurrency thread.
    private func report(_ event: RebalanceEvent) {
        guard let onRebalance = onRebalance.withLock({ $0 }) else { return }
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            await onRebalance(event)
            done.signal()
        }
        let timeout = options.rebalanceHandoffTimeout
        if done.wait(timeout: .now() + .milliseconds(Int(timeout.milliseconds))) == .timedOut {
            logger.warning("Kafka consumer: onRebalance did not finish within \(timeout); continuing the rebalance")
            task.cancel()
        }
    }
}

/// librdkafka's rebalance callback → `ConsumerContext.rebalance`.
let rdKafkaRebalanceCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        UnsafeMutableRawPointer?
    ) -> Void = { handle, err, partitions, opaque in
        guard let handle, let opaque,
            let context = Unmanaged<RdKafkaContext>.fromOpaque(opaque).takeUnretainedValue() as? ConsumerContext
        else { return }
        context.rebalance(handle: handle, err: err, partitions: partitions)
    }
