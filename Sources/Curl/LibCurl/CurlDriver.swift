import CCurl
import Dispatch
import Foundation
import Logging
import Synchronization

/// The engine behind a ``CurlClient``: one thread that runs libcurl's multi interface for
/// every transfer of the client.
///
/// Callers never touch libcurl. They hand a ``TransferJob`` to the driver through the locked
/// ``State`` and wake the thread with `curl_multi_wakeup`; the thread adds the job's easy
/// handle to its multi handle, lets `curl_multi_perform` move all transfers forward, sleeps
/// in `curl_multi_poll` until a socket, a timer or a wake-up needs it, and resumes each
/// caller's continuation when its transfer is done, cancelled or the client shuts down.
///
/// Each transfer id moves through a small state machine (``Entry``), so cancellation is
/// exact whenever it arrives: before the job is submitted, while it is queued, while it runs,
/// or after it finished (then it is a no-op).
final class CurlDriver: Sendable {
    /// Where one transfer id is.
    private enum Entry {
        /// The id is handed out; the job has not been submitted yet.
        case reserved
        /// Cancelled before it was submitted: submitting it fails at once.
        case cancelRequested
        /// Submitted, waiting for the driver thread to pick it up.
        case queued(TransferJob)
        /// Owned by the driver thread (an easy handle in the multi handle).
        case active
    }

    private enum Lifecycle {
        case running
        /// `shutdown()` was called; the thread fails every transfer and exits.
        case stopping
        case stopped
    }

    /// The multi handle's address, for `curl_multi_wakeup` from other threads. It is only
    /// used under the state lock, and the driver thread removes it under the same lock
    /// before `curl_multi_cleanup`, so a wake-up never reaches a freed handle.
    private struct Wakeup: @unchecked Sendable {
        let multi: UnsafeMutableRawPointer
        func fire() { _ = curl_multi_wakeup(multi) }
    }

    private struct State {
        var lifecycle: Lifecycle = .running
        var nextID: UInt64 = 1
        var entries: [UInt64: Entry] = [:]
        var queue: [UInt64] = []
        var cancellations: [UInt64] = []
        var wakeup: Wakeup?
    }

    /// What the driver thread takes from the shared state in one turn of its loop.
    private struct Work {
        var jobs: [TransferJob] = []
        var cancellations: [UInt64] = []
        var stopping = false
    }

    private let state = Mutex(State())
    private let exited = DispatchGroup()
    private let logger: Logger
    private let maximumConnectionsPerHost: Int
    let threadName: String

    private static let counter = Atomic<Int>(0)

    init(logger: Logger, maximumConnectionsPerHost: Int) {
        self.logger = logger
        self.maximumConnectionsPerHost = maximumConnectionsPerHost
        let number = CurlDriver.counter.wrappingAdd(1, ordering: .relaxed).newValue
        // Linux limits thread names to 15 bytes.
        self.threadName = "baton-curl-\(number % 10_000)"
    }

    /// Starts the driver thread. Jobs submitted before it runs simply wait in the queue.
    func start() {
        CurlGlobal.ensureInitialized()
        exited.enter()
        let thread = Thread { [self] in
            self.run()
            self.exited.leave()
        }
        thread.name = threadName
        thread.start()
    }

    // MARK: - Called from any thread

    /// A fresh transfer id, to be submitted (or cancelled) next.
    func reserve() -> UInt64 {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.entries[id] = .reserved
            return id
        }
    }

    func submit(_ job: TransferJob) {
        let rejection: (any Error)? = state.withLock { state in
            guard case .running = state.lifecycle else {
                state.entries[job.id] = nil
                return CurlError.shutDown(url: job.request.url)
            }
            switch state.entries[job.id] {
            case .reserved:
                state.entries[job.id] = .queued(job)
                state.queue.append(job.id)
                state.wakeup?.fire()
                return nil
            case .cancelRequested, nil:
                state.entries[job.id] = nil
                return CancellationError()
            case .queued, .active:
                preconditionFailure("transfer \(job.id) submitted twice")
            }
        }
        if let rejection { job.continuation.resume(throwing: rejection) }
    }

    func cancel(_ id: UInt64) {
        let dequeued: TransferJob? = state.withLock { state in
            switch state.entries[id] {
            case .reserved:
                state.entries[id] = .cancelRequested
                return nil
            case .queued(let job):
                state.entries[id] = nil  // the driver skips ids that are no longer queued
                return job
            case .active:
                state.cancellations.append(id)
                state.wakeup?.fire()
                return nil
            case .cancelRequested, nil:
                return nil
            }
        }
        dequeued?.continuation.resume(throwing: CancellationError())
    }

    /// Stops the driver thread: every queued and running transfer fails with
    /// ``CurlError/shutDown(url:)``, and so does every later submission. Idempotent.
    /// Waits (bounded) until the thread has released its libcurl handles.
    func shutdown(wait: Bool) {
        state.withLock { state in
            if case .running = state.lifecycle {
                state.lifecycle = .stopping
                state.wakeup?.fire()
            }
        }
        if wait { _ = exited.wait(timeout: .now() + .seconds(10)) }
    }

    // MARK: - The driver thread

    private func run() {
        setThreadName()
        guard let multi = curl_multi_init() else {
            logger.error("curl_multi_init failed; every transfer of this client fails")
            failEverything(CurlError(
                code: Int32(CURLE_FAILED_INIT.rawValue), message: "libcurl could not create a multi handle",
                url: "", isConnectionFailure: false))
            return
        }
        _ = baton_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maximumConnectionsPerHost)
        state.withLock { $0.wakeup = Wakeup(multi: multi) }
        logger.debug("curl driver started", metadata: ["thread": "\(threadName)", "libcurl": "\(CurlGlobal.version)"])

        var active: [UInt64: EasyTransfer] = [:]
        var ids: [UnsafeMutableRawPointer: UInt64] = [:]
        var admission = HostAdmission(limit: maximumConnectionsPerHost)
        var nextExpiryCheck = ContinuousClock.now

        /// Hands `job` to libcurl; false when it ended at once (its host's slot is free again).
        func add(_ offered: TransferJob, waited: Duration) -> Bool {
            let job: TransferJob
            switch HostAdmission.start(offered, waited: waited) {
            case .success(let ready): job = ready
            case .failure(let timeout):
                state.withLock { _ = $0.entries.removeValue(forKey: offered.id) }
                offered.continuation.resume(throwing: timeout)
                return false
            }
            do {
                let transfer = try EasyTransfer(job: job)
                let code = curl_multi_add_handle(multi, transfer.handle)
                guard code == CURLM_OK else {
                    state.withLock { _ = $0.entries.removeValue(forKey: job.id) }
                    let text = String(cString: curl_multi_strerror(code))
                    transfer.resume(with: .failure(CurlError(
                        code: Int32(CURLE_FAILED_INIT.rawValue), message: "curl_multi_add_handle: \(text)",
                        url: job.request.url, isConnectionFailure: false)))
                    return false
                }
                active[job.id] = transfer
                ids[transfer.handle] = job.id
                return true
            } catch {
                state.withLock { _ = $0.entries.removeValue(forKey: job.id) }
                job.continuation.resume(throwing: error)
                return false
            }
        }

        /// A transfer of `url`'s host left libcurl: the next ones waiting for that host start.
        func hostFreed(_ url: String) {
            while let (next, waited) = admission.ended(url: url, now: .now) {
                if add(next, waited: waited) { return }
            }
        }

        func finish(_ id: UInt64, _ result: Result<TransferResult, any Error>) {
            guard let transfer = active.removeValue(forKey: id) else {
                // Cancelled while it waited for its host: it never reached libcurl.
                if let job = admission.cancel(id) {
                    state.withLock { _ = $0.entries.removeValue(forKey: id) }
                    job.continuation.resume(throwing: CancellationError())
                }
                return
            }
            ids[transfer.handle] = nil
            curl_multi_remove_handle(multi, transfer.handle)
            state.withLock { _ = $0.entries.removeValue(forKey: id) }
            log(transfer, result)
            transfer.resume(with: result)
            hostFreed(transfer.request.url)
        }

        while true {
            let work = takeWork()
            if work.stopping { break }

            for job in work.jobs {
                guard let ready = admission.offer(job, now: .now) else { continue }
                if !add(ready, waited: .zero) { hostFreed(ready.request.url) }
            }
            for id in work.cancellations {
                finish(id, .failure(CancellationError()))
            }

            var running: Int32 = 0
            let performed = curl_multi_perform(multi, &running)
            if performed != CURLM_OK {
                logger.error("curl_multi_perform failed", metadata: ["error": "\(String(cString: curl_multi_strerror(performed)))"])
            }
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard baton_curl_msg_is_done(message) != 0, let handle = message.pointee.easy_handle,
                    let id = ids[handle], let transfer = active[id]
                else { continue }
                let outcome = transfer.outcome(baton_curl_msg_result(message))
                finish(id, outcome.mapError { $0 as any Error })
            }

            // Transfers waiting for their host time out as they would have in libcurl.
            var pollMilliseconds: Int32 = 1000
            if admission.waitingCount > 0 {
                let now = ContinuousClock.now
                if now >= nextExpiryCheck {
                    for (job, error) in admission.expire(now: now) {
                        state.withLock { _ = $0.entries.removeValue(forKey: job.id) }
                        job.continuation.resume(throwing: error)
                    }
                    nextExpiryCheck = now + .milliseconds(100)
                }
                pollMilliseconds = 100
            }

            // Sleeps until a socket or a libcurl timer needs attention, or curl_multi_wakeup.
            let polled = curl_multi_poll(multi, nil, 0, pollMilliseconds, nil)
            if polled != CURLM_OK {
                logger.error("curl_multi_poll failed", metadata: ["error": "\(String(cString: curl_multi_strerror(polled)))"])
            }
        }

        // Shutting down: nothing new can arrive (the lifecycle is .stopping).
        let queued = state.withLock { state -> [TransferJob] in
            state.wakeup = nil
            let jobs = state.entries.values.compactMap { entry -> TransferJob? in
                if case .queued(let job) = entry { return job }
                return nil
            }
            state.entries.removeAll()
            state.queue.removeAll()
            state.cancellations.removeAll()
            state.lifecycle = .stopped
            return jobs
        }
        for (_, transfer) in active {
            curl_multi_remove_handle(multi, transfer.handle)
            transfer.resume(with: .failure(CurlError.shutDown(url: transfer.request.url)))
        }
        for job in admission.removeAll() { job.continuation.resume(throwing: CurlError.shutDown(url: job.request.url)) }
        active.removeAll()
        ids.removeAll()
        for job in queued { job.continuation.resume(throwing: CurlError.shutDown(url: job.request.url)) }
        curl_multi_cleanup(multi)
        logger.debug("curl driver stopped", metadata: ["thread": "\(threadName)"])
    }

    private func takeWork() -> Work {
        state.withLock { state in
            var work = Work()
            if case .running = state.lifecycle {} else {
                work.stopping = true
                return work
            }
            for id in state.queue {
                if case .queued(let job) = state.entries[id] {
                    state.entries[id] = .active
                    work.jobs.append(job)
                }
            }
            state.queue.removeAll(keepingCapacity: true)
            work.cancellations = state.cancellations
            state.cancellations.removeAll(keepingCapacity: true)
            return work
        }
    }

    /// Used when the thread cannot even create its multi handle.
    private func failEverything(_ error: CurlError) {
        let jobs = state.withLock { state -> [TransferJob] in
            state.lifecycle = .stopped
            let jobs = state.entries.values.compactMap { entry -> TransferJob? in
                if case .queued(let job) = entry { return job }
                return nil
            }
            state.entries.removeAll()
            state.queue.removeAll()
            return jobs
        }
        for job in jobs { job.continuation.resume(throwing: error) }
    }

    private func log(_ transfer: EasyTransfer, _ result: Result<TransferResult, any Error>) {
        guard logger.logLevel <= .debug else { return }
        let elapsed = ContinuousClock.now - transfer.startedAt
        var metadata: Logger.Metadata = [
            "method": "\(transfer.request.methodName)",
            "url": "\(URLRedaction.redact(transfer.request.url))",
            "elapsed": "\(elapsed)",
        ]
        switch result {
        case .success(let response): metadata["status"] = "\(response.status)"
        case .failure(let error): metadata["error"] = "\(error)"
        }
        logger.debug("curl transfer finished", metadata: metadata)
    }

    /// Names the OS thread (visible in `top -H`, `/proc/<pid>/task/*/comm`, debuggers).
    private func setThreadName() {
        baton_set_current_thread_name(threadName)
    }
}
