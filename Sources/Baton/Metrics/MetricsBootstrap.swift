import CoreMetrics
import Foundation
import Synchronization

/// Installs ``EMFMetrics`` as the process's swift-metrics backend, once, and flushes it
/// every `interval` on a background task and when the process ends (``shutdown()``).
/// Only the `baton` executable calls it; in-process test workers never bootstrap, so a
/// second call (or one after a test set up its own backend) does nothing.
public enum MetricsBootstrap {
    private struct Installed: Sendable {
        var metrics: EMFMetrics
        var flusher: Task<Void, Never>
    }

    private static let installed = Mutex<Installed?>(nil)
    private static let attempted = Mutex(false)

    /// The installed backend, if this process bootstrapped one.
    public static var metrics: EMFMetrics? { installed.withLock { $0?.metrics } }

    /// Bootstraps swift-metrics with EMF lines on `sink` (stderr: the log stream),
    /// flushed every `interval`. Returns false when metrics were already bootstrapped.
    @discardableResult
    public static func bootstrap(interval: Duration, namespace: String = "Baton", sink: LogSink = .standardError) -> Bool {
        let first = attempted.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return false }
        let metrics = EMFMetrics(namespace: namespace, sink: sink)
        MetricsSystem.bootstrap(metrics)
        let flusher = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                metrics.flush()
            }
        }
        installed.withLock { $0 = Installed(metrics: metrics, flusher: flusher) }
        return true
    }

    /// Stops the periodic flush and writes what is left: call before the process exits.
    public static func shutdown() {
        guard let installed = installed.withLock({ $0 }) else { return }
        installed.flusher.cancel()
        installed.metrics.flush()
    }
}
