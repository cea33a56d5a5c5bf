/// What a `baton metrics --follow … --serve` sidecar can tell Kubernetes about the worker
/// whose metrics it reads, from those metrics alone.
///
/// - Liveness (`GET /livez`): the worker writes EMF lines every `log.metricsInterval`
///   (gauges are rewritten on every flush) from a task on the same cooperative thread pool
///   as its slices and its consumer loop. No new line for `staleAfter` means the process
///   hangs (a starved pool, a deadlock) or stopped writing: restart it. A worker that is
///   paused for an environment fault keeps writing, so it stays alive, as it must: a
///   restart would not fix Birst or S3, and it would cost a rebalance.
/// - Readiness (`GET /readyz`): alive, and every `baton_environment_healthy` gauge is 1 —
///   Birst and S3 usable. An unready worker is paused; readiness keeps a rolling update
///   from replacing working pods with ones whose start-up check fails (wrong credentials).
public struct WorkerProbe: Sendable, Equatable {
    /// Whether the probe passes (HTTP 200) or not (HTTP 503).
    public var passes: Bool
    /// One line for the probe's response body and the kubelet's event.
    public var reason: String

    /// Liveness: `lastLine` is when the newest EMF line was read (nil: none yet, and the
    /// worker gets `staleAfter` from `started`, when the sidecar began reading).
    public static func liveness(
        lastLine: ContinuousClock.Instant?, started: ContinuousClock.Instant, now: ContinuousClock.Instant = .now, staleAfter: Duration
    ) -> WorkerProbe {
        let age = now - (lastLine ?? started)
        let seconds = Int(age.components.seconds)
        if age <= staleAfter {
            return WorkerProbe(passes: true, reason: lastLine == nil ? "waiting for the first metrics line (\(seconds) s)" : "last metrics line \(seconds) s ago")
        }
        return WorkerProbe(
            passes: false,
            reason: lastLine == nil
                ? "no metrics line in \(seconds) s since the start: the worker does not write log.metricsPath"
                : "no metrics line for \(seconds) s (more than \(Int(staleAfter.components.seconds)) s): the worker hangs or stopped writing"
        )
    }

    /// Readiness: `alive` as from ``liveness(lastLine:started:now:staleAfter:)`` and the
    /// latest `baton_environment_healthy` gauges by dependency (empty: not reported yet).
    public static func readiness(alive: WorkerProbe, environment: [String: Double]) -> WorkerProbe {
        guard alive.passes else { return alive }
        guard !environment.isEmpty else { return WorkerProbe(passes: false, reason: "no environment health reported yet") }
        let failing = environment.filter { $0.value < 1 }.keys.sorted()
        guard failing.isEmpty else {
            return WorkerProbe(passes: false, reason: "paused: \(failing.joined(separator: ", ")) not usable (the worker re-checks and resumes by itself)")
        }
        return WorkerProbe(passes: true, reason: "ready: \(environment.keys.sorted().joined(separator: ", ")) usable")
    }
}

extension MetricsAggregator {
    /// The latest `baton_environment_healthy` gauge by dependency (the lowest, when the
    /// lines come from several workers).
    public var environmentHealth: [String: Double] {
        var health: [String: Double] = [:]
        for (labels, value) in gaugeValues(WorkerMetrics.environmentHealthy) {
            let dependency = labels.first { $0.key == "dependency" }?.value ?? "unknown"
            health[dependency] = min(health[dependency] ?? value, value)
        }
        return health
    }
}
