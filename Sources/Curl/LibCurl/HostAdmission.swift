import CCurl

/// Holds transfers back in the driver until their host has a free connection, so that
/// libcurl never holds more of a host's transfers than `CURLMOPT_MAX_HOST_CONNECTIONS`.
///
/// libcurl 7.88 keeps the transfers over that limit on a "pending" list which
/// `curl_multi_remove_handle` scans on every finished transfer: with a worker holding
/// 20,000 polling jobs, thousands wait there and removing each finished poll cost
/// milliseconds (three quarters of the worker's CPU, issue 10). Here a waiting transfer
/// costs O(1) to queue and to start.
///
/// The time a transfer waits here counts against its timeouts, as it did on libcurl's
/// pending list: ``start(_:waited:)`` shortens them, and fails a transfer whose time is up.
struct HostAdmission {
    private struct Waiting {
        var job: TransferJob
        var host: String
        var queuedAt: ContinuousClock.Instant
    }

    /// Transfers of one host at most in libcurl at once; 0: no limit.
    private let limit: Int
    private var running: [String: Int] = [:]
    /// Per host, ids in arrival order; ids no longer in `waiting` (cancelled) are skipped.
    private var queues: [String: FIFO] = [:]
    private var waiting: [UInt64: Waiting] = [:]

    init(limit: Int) {
        self.limit = limit
    }

    /// Transfers held back, over all hosts.
    var waitingCount: Int { waiting.count }

    /// `job` arrives: returns it when it may start now, else keeps it until a transfer of
    /// its host ends.
    mutating func offer(_ job: TransferJob, now: ContinuousClock.Instant) -> TransferJob? {
        let host = Self.host(of: job.request.url)
        guard limit > 0, running[host, default: 0] >= limit else {
            running[host, default: 0] += 1
            return job
        }
        waiting[job.id] = Waiting(job: job, host: host, queuedAt: now)
        queues[host, default: FIFO()].append(job.id)
        return nil
    }

    /// A transfer to the host of `url` left libcurl: returns the next one of that host to
    /// start, with how long it waited.
    mutating func ended(url: String, now: ContinuousClock.Instant) -> (TransferJob, waited: Duration)? {
        let host = Self.host(of: url)
        while let id = queues[host]?.popFirst() {
            guard let next = waiting.removeValue(forKey: id) else { continue }
            return (next.job, now - next.queuedAt)
        }
        queues[host] = nil
        running[host, default: 1] -= 1
        if running[host] == 0 { running[host] = nil }
        return nil
    }

    /// Takes out the transfers whose timeout ran out while they waited, with the error each
    /// fails with. O(waiting): the driver calls it a few times a second at most.
    mutating func expire(now: ContinuousClock.Instant) -> [(TransferJob, CurlError)] {
        let late = waiting.filter { now - $0.value.queuedAt >= $0.value.job.request.timeout }
        return late.map { id, entry in
            waiting[id] = nil
            return (entry.job, Self.timedOut(entry.job, waited: now - entry.queuedAt))
        }
    }

    /// Takes a waiting transfer out (it was cancelled); nil when it is not waiting here.
    mutating func cancel(_ id: UInt64) -> TransferJob? {
        waiting.removeValue(forKey: id)?.job
    }

    /// Every waiting transfer, removed (the driver is shutting down).
    mutating func removeAll() -> [TransferJob] {
        defer {
            waiting = [:]
            queues = [:]
        }
        return waiting.values.map(\.job)
    }

    /// `job`'s request with its timeouts shortened by `waited`, or the timeout error when
    /// nothing of them is left (nothing was sent: a connection failure).
    static func start(_ job: TransferJob, waited: Duration) -> Result<TransferJob, CurlError> {
        guard waited > .zero else { return .success(job) }
        var request = job.request
        request.timeout -= waited
        guard request.timeout >= .milliseconds(1) else { return .failure(timedOut(job, waited: waited)) }
        request.connectTimeout = min(request.connectTimeout, request.timeout)
        return .success(TransferJob(id: job.id, request: request, continuation: job.continuation))
    }

    private static func timedOut(_ job: TransferJob, waited: Duration) -> CurlError {
        CurlError(
            code: Int32(CURLE_OPERATION_TIMEDOUT.rawValue),
            message: "Timeout was reached: waited \(waited) for a free connection to the host",
            url: job.request.url, isConnectionFailure: true)
    }

    /// The connection pool's key: scheme, host and port as written in the URL.
    static func host(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        return url[..<end].lowercased()
    }
}

/// A first-in first-out queue of ids: appends and pops in O(1) (amortised).
private struct FIFO {
    private var items: [UInt64] = []
    private var head = 0

    mutating func append(_ id: UInt64) { items.append(id) }

    mutating func popFirst() -> UInt64? {
        guard head < items.count else { return nil }
        let id = items[head]
        head += 1
        if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return id
    }
}
