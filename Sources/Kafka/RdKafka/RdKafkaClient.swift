import Dispatch
import Logging
import Synchronization
internal import CRdKafka

/// One librdkafka client instance (`rd_kafka_t`) and the serial queue its blocking calls
/// run on. The handle is destroyed on that queue, after every call queued before it.
final class RdKafkaClient: @unchecked Sendable {
    // @unchecked: `handle` and `opaque` are immutable; librdkafka handles are thread-safe,
    // and `destroyed` (guarded by a Mutex) keeps calls from using the handle after
    // rd_kafka_destroy. Every use of the handle after construction either runs on
    // `blockingQueue` (which also destroys it), or on the poll thread, which ends before
    // the destroy is queued.
    let handle: OpaquePointer
    let context: RdKafkaContext
    let name: String
    private let opaque: UnsafeMutableRawPointer
    private let blockingQueue: DispatchQueue
    private let destroyed = Mutex(false)

    enum Kind { case producer, consumer }

    /// Creates the handle. `configure` may install extra callbacks on the conf.
    init(
        kind: Kind,
        configuration: [String: String],
        context: RdKafkaContext,
        serveErrors: Bool,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) {
        let conf = try RdKafkaClient.makeConf(configuration)
        rd_kafka_conf_set_log_cb(conf, rdKafkaLogCallback)
        if serveErrors {
            rd_kafka_conf_set_error_cb(conf, rdKafkaErrorCallback)
        }
        configure(conf)
        let opaque = Unmanaged.passRetained(context).toOpaque()
        rd_kafka_conf_set_opaque(conf, opaque)

        var errstr = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let handle = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            // rd_kafka_new takes ownership of the conf only on success.
            rd_kafka_conf_destroy(conf)
            Unmanaged<RdKafkaContext>.fromOpaque(opaque).release()
            let message = String(cStringBuffer: errstr)
            throw KafkaError(
                RD_KAFKA_RESP_ERR__INVALID_ARG,
                message: message,
                property: RdKafkaClient.propertyMentioned(in: message, among: configuration.keys)
            )
        }
        self.handle = handle
        self.context = context
        self.opaque = opaque
        self.name = String(cString: rd_kafka_name(handle))
        self.blockingQueue = DispatchQueue(label: "baton.kafka.\(name).blocking")
    }

    /// Runs a blocking librdkafka call off Swift's cooperative pool and resumes the caller
    /// with its result. Throws `_DESTROY` once the handle is gone.
    func blocking<T: Sendable>(
        _ what: String,
        _ body: @escaping @Sendable (OpaquePointer) throws(KafkaError) -> T
    ) async throws(KafkaError) -> T {
        let result: Result<T, KafkaError> = await withCheckedContinuation { continuation in
            blockingQueue.async {
                let isDestroyed = self.destroyed.withLock { $0 }
                if isDestroyed {
                    continuation.resume(returning: .failure(.destroyed(what)))
                    return
                }
                continuation.resume(returning: Result { () throws(KafkaError) -> T in try body(self.handle) })
            }
        }
        return try result.get()
    }

    /// Queues `rd_kafka_destroy` behind every blocking call already queued, then runs
    /// `completion`. Must not be called from a librdkafka callback (it is not: it only queues).
    func destroy(before: @escaping @Sendable (OpaquePointer) -> Void = { _ in }, completion: @escaping @Sendable () -> Void) {
        blockingQueue.async {
            let first = self.destroyed.withLock { destroyed -> Bool in
                defer { destroyed = true }
                return !destroyed
            }
            if first {
                before(self.handle)
                // A consumer has been closed by its poll loop already (or never joined). When
                // that close failed (`_TIMED_OUT` after a stalled broker), rd_kafka_destroy
                // would close it again and, in librdkafka 2.0.2, can wait for ever.
                rd_kafka_destroy_flags(self.handle, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
                Unmanaged<RdKafkaContext>.fromOpaque(self.opaque).release()
                self.context.logger.debug("librdkafka client destroyed", metadata: ["kafka.client": "\(self.name)"])
            }
            completion()
        }
    }

    var isDestroyed: Bool { destroyed.withLock { $0 } }

    // MARK: configuration

    static func makeConf(_ properties: [String: String]) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let detail = String(cStringBuffer: errstr)
                let secret = isSecret(key)
                let message: String
                switch result {
                case RD_KAFKA_CONF_UNKNOWN:
                    message = "unknown configuration property \"\(key)\" (\(detail))"
                default:
                    message = secret
                        ? "invalid value for configuration property \"\(key)\""
                        : "invalid value for configuration property \"\(key)\": \(detail)"
                }
                throw KafkaError.configuration(property: key, message)
            }
        }
        return conf
    }

    static func isSecret(_ property: String) -> Bool {
        let lower = property.lowercased()
        return ["password", "secret", "key.pem", "credentials", "token"].contains { lower.contains($0) }
    }

    /// The first configured property that librdkafka's error text names.
    static func propertyMentioned(in message: String, among keys: Dictionary<String, String>.Keys) -> String? {
        keys.filter { message.contains($0) }.max { $0.count < $1.count }
    }
}

extension String {
    /// Decodes a NUL-terminated C string held in a buffer.
    init(cStringBuffer buffer: [CChar]) {
        self = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Duration {
    /// Whole milliseconds, clamped to librdkafka's `int` timeouts (negative → 0).
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        if ms.overflow { return seconds < 0 ? 0 : Int32.max }
        let total = ms.partialValue + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, total))
    }
}

// MARK: callbacks shared by all clients

/// librdkafka's log callback → swift-log. Called from librdkafka's own threads.
private let rdKafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    handle, level, facility, message in
    guard let handle, let opaque = rd_kafka_opaque(handle) else { return }
    let context = Unmanaged<RdKafkaContext>.fromOpaque(opaque).takeUnretainedValue()
    var swiftLevel: Logger.Level
    switch level {
    case ...2: swiftLevel = .critical
    case 3: swiftLevel = .error
    case 4: swiftLevel = .warning
    case 5: swiftLevel = .notice
    case 6: swiftLevel = .info
    default: swiftLevel = .debug
    }
    let text = message.map { String(cString: $0) } ?? ""
    let facilityName = facility.map { String(cString: $0) } ?? ""
    // One configuration is commonly shared by producers and consumers; librdkafka warns
    // about every property the other kind uses. That is expected here, not a problem.
    if facilityName == "CONFWARN", text.contains(" property and will be ignored by this ") {
        swiftLevel = .debug
    }
    guard context.logger.logLevel <= swiftLevel else { return }
    context.logger.log(
        level: swiftLevel,
        "\(text)",
        metadata: [
            "kafka.client": "\(String(cString: rd_kafka_name(handle)))",
            "kafka.facility": "\(facilityName)",
        ]
    )
}

/// librdkafka's error callback, served from the poll thread (rd_kafka_poll / consumer_poll).
private let rdKafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    handle, code, reason, opaque in
    guard let handle, let opaque else { return }
    let context = Unmanaged<RdKafkaContext>.fromOpaque(opaque).takeUnretainedValue()
    let err = rd_kafka_resp_err_t(rawValue: code)
    let text = reason.map { String(cString: $0) } ?? ""
    if err == RD_KAFKA_RESP_ERR__FATAL {
        let error = KafkaError.fatal(handle)
        context.logger.critical("fatal Kafka error: \(error.name): \(error.message)")
        context.fatalErrorRaised(error)
    } else {
        // Transport errors and the like: librdkafka retries by itself.
        context.logger.warning(
            "Kafka client error \(String(cString: rd_kafka_err2name(err))): \(text)",
            metadata: ["kafka.client": "\(String(cString: rd_kafka_name(handle)))"]
        )
    }
}
