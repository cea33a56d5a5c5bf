/// How a metric aggregates, as the EMF lines tell the scraper (EMF itself only knows
/// units) and as the scraper exposes it to Prometheus.
public enum MetricKind: String, Sendable, Codable {
    /// Monotonic; each EMF line carries the increments since the previous flush.
    case counter
    /// A current value; each EMF line carries the latest value.
    case gauge
    /// A distribution; each EMF line carries the values recorded since the previous flush.
    case histogram
}
