import Foundation
import Kafka
import Logging

/// The worker's ``OutcomeLedger``: one shared, incremental read of the outcome and
/// dead-letter topics (all partitions, outside any consumer group) by a long-lived
/// ``OutcomeTopicsReader``.
///
/// The first question (or one about a message older than what is held) starts from a
/// time look-up for the message's write time minus a clock-skew allowance — a hint only
/// (Tansu answers 0: from the beginning) — and opens the reader there. A question is
/// answered once the reader has reported the end of every partition at or past the
/// latest offset a watermark look-up gave after the question was asked
/// (``OutcomeLedgerState/hasRead(to:)``): a record acknowledged before the question is
/// seen, and a partition where nothing was written costs no fetch. Questions asked while
/// a read runs share the next one, so many redelivered messages after a restart cost a
/// few look-ups, not one each.
///
/// The reader and its admin client stay open while questions come and close after
/// `keepOpen` without one (an open reader fetches every 10 ms); the next question opens
/// them again where reading stopped. Records older than ``OutcomeLedgerState/window`` are
/// forgotten on each read: memory is bounded by that window's traffic plus what arrives
/// in `keepOpen` (one small entry per outcome or dead letter).
actor TopicOutcomeLedger: OutcomeLedger {
    private let clientProperties: [String: String]
    private let topics: [String]
    /// Limit for one read (look-ups included).
    private let timeout: Duration
    private let keepOpen: Duration
    private let logger: Logger
    private var state: OutcomeLedgerState
    /// Questions asked so far, and how many of them the last successful read answers.
    private var asked = 0
    private var answered = 0
    /// The read under way and the questions it answers (those asked before it started).
    private var reading: Task<Void, any Error>?
    private var readingCovers = 0
    /// The earliest write time a question asked since the current read started needs.
    private var needed = Date.distantFuture

    private var reader: OutcomeTopicsReader?
    private var admin: KafkaAdmin?
    /// Counts readers opened and retired; events of an earlier one are dropped.
    private var generation = 0
    /// Readers opened so far, and reads that started over from a time look-up (for tests).
    private(set) var readersOpened = 0
    private(set) var startsOver = 0
    /// Records delivered so far (for the log line).
    private var recordsRead = 0
    /// The read waiting for the reader to reach `ends`.
    private var waiter: (ends: [TopicPartition: Int64], continuation: CheckedContinuation<Void, any Error>)?
    private var lastAsked = ContinuousClock.now
    private var idleWatch: Task<Void, Never>?
    /// Readers being closed (``shutdown()`` waits for them).
    private var closing: [Int: Task<Void, Never>] = [:]
    private var isShutDown = false

    /// - Parameters:
    ///   - clientProperties: librdkafka properties (bootstrap servers, security…).
    ///   - topics: the outcomes and dead-letter topics.
    ///   - skew: allowance for workers' clocks (a record's timestamp is its producer's).
    ///   - window: how long read records are kept.
    ///   - timeout: the limit for one read.
    ///   - keepOpen: how long the reader stays open after the last question.
    init(
        clientProperties: [String: String], topics: [String], skew: Duration = .seconds(300), window: Duration = .seconds(1800),
        timeout: Duration = .seconds(30), keepOpen: Duration = .seconds(60), logger: Logger
    ) {
        self.clientProperties = clientProperties
        self.topics = topics
        self.timeout = timeout
        self.keepOpen = keepOpen
        self.logger = logger
        self.state = OutcomeLedgerState(skew: skew.seconds, window: window.seconds)
    }

    func hasRecord(on topic: String, from source: String, messageWrittenAt: Date?) async throws -> Bool {
        guard !isShutDown else { throw Self.shutDown }
        asked += 1
        let ticket = asked
        lastAsked = .now
        needed = min(needed, state.needed(forMessageWrittenAt: messageWrittenAt))
        while answered < ticket {
            if let reading {
                let covers = readingCovers
                if case .failure(let error) = await reading.result, covers >= ticket { throw error }
            } else {
                startRead()
            }
        }
        return state.contains(topic: topic, source: source)
    }

    /// Opens the reader ahead of the first question (the worker's start-up check), for
    /// messages written up to a window before now, so the first outcomes after start
    /// wait for a watermark look-up only. Does not wait; a failure is logged and the
    /// first question tries again.
    func warmUp() {
        guard !isShutDown else { return }
        lastAsked = .now
        needed = min(needed, Date().addingTimeInterval(-state.window))
        guard reading == nil else { return }
        startRead()
        guard let started = reading else { return }
        let logger = logger
        Task {
            if case .failure(let error) = await started.result {
                logger.warning("could not open the outcome ledger's reader ahead of the first question", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Closes the reader and the admin client and waits for their threads; later
    /// questions throw (the caller answers false).
    func shutdown() async {
        isShutDown = true
        idleWatch?.cancel()
        idleWatch = nil
        closeClients(because: Self.shutDown)
        while let task = closing.first?.value {
            await task.value
        }
    }

    /// What a question, or a read, gets once ``shutdown()`` has begun.
    private static let shutDown = JobsError.timedOut("the outcome ledger is shut down")

    /// Retires the reader (failing a waiting read with `error`) and shuts the admin client.
    private func closeClients(because error: (any Error)?) {
        retireReader(because: error)
        admin?.shutdown()
        admin = nil
    }

    /// Whether a reader or admin client is open or still closing (for tests).
    var holdsClients: Bool { reader != nil || admin != nil || !closing.isEmpty }

    private func startRead() {
        readingCovers = asked
        let from = needed
        needed = .distantFuture
        reading = Task { try await self.read(from: from) }
    }

    /// One read: start over from a time look-up when the entries do not reach back to
    /// `from`, then wait until the reader has reached what a watermark look-up gives.
    private func read(from: Date) async throws {
        let covers = readingCovers
        defer { reading = nil }
        let started = ContinuousClock.now
        let deadline = started + timeout
        let recordsBefore = recordsRead
        do {
            let restart = state.mustRestart(from: from)
            if restart {
                startsOver += 1
                let (floor, positions) = try await Self.lookUp(
                    from: from, topics: topics, admin: try openAdmin(), timeout: try remaining(until: deadline))
                retireReader(because: nil)
                state.restarted(floor: floor, positions: positions)
            }
            if reader == nil { try openReader() }
            let looked = ContinuousClock.now
            let ends = try await openAdmin().latestOffsets(Array(state.positions.keys), timeout: remaining(until: deadline))
            let waited = ContinuousClock.now
            try await waitUntilRead(to: ends, until: deadline)
            state.readToEnd(now: Date())
            // One line per read (not per question): reads happen after rebalances only.
            logger.info("looked for earlier runs' outcomes and dead letters", metadata: [
                "questions": "\(covers - answered)", "records": "\(recordsRead - recordsBefore)", "held": "\(state.count)",
                "startedOver": "\(restart)", "seconds": "\((ContinuousClock.now - started).seconds)",
                "watermarkSeconds": "\((waited - looked).seconds)", "waitSeconds": "\((ContinuousClock.now - waited).seconds)",
            ])
            answered = covers
            // Idle from the answer on: a read slower than `keepOpen` (a busy machine) must
            // not close the reader under the questions that follow at once.
            lastAsked = .now
            watchIdle()
        } catch {
            // The questions it was to answer fail; later ones need what they asked for.
            needed = min(needed, from)
            throw error
        }
    }

    private func remaining(until deadline: ContinuousClock.Instant) throws -> Duration {
        let left = deadline - .now
        guard left > .zero else { throw timedOut() }
        return left
    }

    private func timedOut() -> JobsError {
        .timedOut("reading \(topics.sorted().joined(separator: ", ")) to the end took longer than \(ConfigDuration.format(timeout))")
    }

    private func openAdmin() throws -> KafkaAdmin {
        guard !isShutDown else { throw Self.shutDown }
        if let admin { return admin }
        let opened = try KafkaAdmin(configuration: KafkaConfiguration(clientProperties), logger: logger)
        admin = opened
        return opened
    }

    private func openReader() throws {
        guard !isShutDown else { throw Self.shutDown }
        guard !state.positions.isEmpty else { return }
        generation += 1
        readersOpened += 1
        let current = generation
        reader = try OutcomeTopicsReader(
            clientProperties: clientProperties, positions: state.positions, logger: logger,
            deliver: { [weak self] event in await self?.received(event, generation: current) },
            failed: { [weak self] error in await self?.readerFailed(error, generation: current) })
    }

    /// Drops the reader (its later events are ignored) and closes it in the background:
    /// its own event handler may be what calls this.
    private func retireReader(because error: (any Error)?) {
        if let waiter, let error {
            self.waiter = nil
            waiter.continuation.resume(throwing: error)
        }
        guard let reader else { return }
        self.reader = nil
        generation += 1
        let id = generation
        closing[id] = Task {
            await reader.close()
            self.closed(id)
        }
    }

    private func closed(_ id: Int) { closing[id] = nil }

    private func received(_ event: KafkaConsumerEvent, generation: Int) {
        guard generation == self.generation else { return }
        switch event {
        case .message(let message):
            recordsRead += 1
            let header = message.header(JobHeaders.source) ?? message.header(JobHeaders.deadLetterSource)
            state.read(
                topic: message.topic, partition: message.partition, offset: message.offset,
                source: header.map { String(decoding: $0, as: UTF8.self) }, timestamp: message.timestamp)
        case .endOfPartition(let partition, let offset):
            state.reachedEnd(partition, at: offset)
            if let waiter, state.hasRead(to: waiter.ends) {
                self.waiter = nil
                waiter.continuation.resume()
            }
        }
    }

    private func readerFailed(_ error: any Error, generation: Int) {
        guard generation == self.generation else { return }
        logger.warning("the outcome ledger's reader stopped; the next question opens another", metadata: ["error": "\(error)"])
        retireReader(because: error)
    }

    private func waitUntilRead(to ends: [TopicPartition: Int64], until deadline: ContinuousClock.Instant) async throws {
        if state.hasRead(to: ends) { return }
        guard !isShutDown, reader != nil else { throw Self.shutDown }
        let left = try remaining(until: deadline)
        let timer = Task {
            do { try await Task.sleep(for: left) } catch { return }
            self.expire(ends)
        }
        defer { timer.cancel() }
        try await withCheckedThrowingContinuation { continuation in
            waiter = (ends, continuation)
        }
    }

    private func expire(_ ends: [TopicPartition: Int64]) {
        guard let waiter, waiter.ends == ends else { return }
        self.waiter = nil
        waiter.continuation.resume(throwing: timedOut())
    }

    /// Closes the reader and the admin client once no question came for `keepOpen`.
    private func watchIdle() {
        guard idleWatch == nil else { return }
        idleWatch = Task {
            while !Task.isCancelled {
                let left = self.lastAsked + self.keepOpen - .now
                if left <= .zero, self.reading == nil {
                    self.closeClients(because: nil)
                    self.idleWatch = nil
                    return
                }
                try? await Task.sleep(for: max(left, .milliseconds(100)))
            }
        }
    }

    /// Where each partition of `topics` starts for records written at or after `from`: the
    /// broker's time look-up (a hint), or its latest offset when it has none that late
    /// (Tansu's is low, if anything: never past a record). The floor is nil when a topic
    /// does not exist yet, so the next question looks again.
    private static func lookUp(
        from: Date, topics: [String], admin: KafkaAdmin, timeout: Duration
    ) async throws -> (Date?, [TopicPartition: Int64]) {
        let described = try await admin.listTopics(timeout: timeout).filter { topics.contains($0.name) }
        let partitions = described.flatMap { topic in topic.partitions.map { TopicPartition(topic: topic.name, partition: $0) } }
        let at = max(from, Date(timeIntervalSince1970: 0))
        let offsets = try await admin.offsetsForTimes(Dictionary(uniqueKeysWithValues: partitions.map { ($0, at) }), timeout: timeout)
        var positions = offsets.compactMapValues { $0 }
        let late = partitions.filter { positions[$0] == nil }
        positions.merge(try await admin.latestOffsets(late, timeout: timeout)) { found, _ in found }
        let complete = Set(described.map(\.name)) == Set(topics)
        return (complete ? from : nil, positions)
    }
}
