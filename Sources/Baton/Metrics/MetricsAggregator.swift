import Foundation
import Prometheus
import Synchronization

/// Sums the samples of EMF lines the way CloudWatch does — counters add up, histograms
/// collect every value, gauges keep the latest — and renders them as Prometheus text
/// exposition (version 0.0.4: `# HELP`, `# TYPE`, counters, gauges, histograms with
/// `_bucket{le=…}`, `_sum`, `_count`) through swift-prometheus, or as a table for people.
///
/// Metric names are made valid Prometheus names (`[a-zA-Z_:][a-zA-Z0-9_:]*`); a counter
/// whose name lacks `_total` gets it. A name met first as one kind (with or without labels)
/// keeps it: samples that differ are counted in ``conflicts`` and dropped.
public final class MetricsAggregator: Sendable {
    /// Histogram buckets (upper bounds). Durations are seconds: from 5 ms to an hour.
    public static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]

    public let registry = PrometheusCollectorRegistry()
    private let state = Mutex(State())

    struct State {
        var kinds: [String: MetricKind] = [:]
        /// Whether a name's series have labels (Prometheus families are all one or the other).
        var labeled: [String: Bool] = [:]
        var series: [MetricSeriesKey: Summary] = [:]
        var conflicts = 0
        var lines = 0
        var lastLine: ContinuousClock.Instant?
    }

    /// What the table shows of one series.
    public struct Summary: Sendable {
        public var kind: MetricKind
        public var value: Double = 0
        public var count = 0
        public var max = -Double.infinity
    }

    public init() {}

    /// Samples dropped because their name was already used by another kind.
    public var conflicts: Int { state.withLock { $0.conflicts } }
    /// EMF lines read.
    public var emfLines: Int { state.withLock { $0.lines } }

    /// When the newest EMF line was read (nil before the first).
    public var lastLineRead: ContinuousClock.Instant? { state.withLock { $0.lastLine } }

    /// The latest value of each series of the gauge `name`, by its labels.
    public func gaugeValues(_ name: String) -> [[MetricSeriesKey.Dimension]: Double] {
        state.withLock { state in
            var values: [[MetricSeriesKey.Dimension]: Double] = [:]
            for (key, summary) in state.series where key.name == name && summary.kind == .gauge {
                values[key.dimensions] = summary.value
            }
            return values
        }
    }

    /// Takes one log line; returns whether it was an EMF line. `labels` are added to each
    /// of its series (e.g. `worker`: whose file the line came from).
    @discardableResult
    public func ingest(line: some Collection<UInt8>, labels: [(String, String)] = []) -> Bool {
        guard var samples = EMFLineParser.parse(line) else { return false }
        if !labels.isEmpty {
            for index in samples.indices {
                let key = samples[index].key
                samples[index].key = MetricSeriesKey(name: key.name, dimensions: key.dimensions.map { ($0.key, $0.value) } + labels)
            }
        }
        state.withLock { state in
            state.lines += 1
            state.lastLine = .now
        }
        for sample in samples { add(sample) }
        return true
    }

    public func add(_ sample: EMFLineParser.Sample) {
        let name = Self.prometheusName(sample.key.name, kind: sample.kind)
        let labels = sample.key.dimensions.map { (Self.labelName($0.key), $0.value) }
        let key = MetricSeriesKey(name: name, dimensions: labels)
        let accepted = state.withLock { state -> Bool in
            if let known = state.kinds[name], known != sample.kind || state.labeled[name] != !labels.isEmpty {
                state.conflicts += 1
                return false
            }
            state.kinds[name] = sample.kind
            state.labeled[name] = !labels.isEmpty
            var summary = state.series[key] ?? Summary(kind: sample.kind)
            switch sample.kind {
            case .counter: summary.value += sample.values.reduce(0, +)
            case .gauge: summary.value = sample.values.last ?? summary.value
            case .histogram:
                summary.value += sample.values.reduce(0, +)
                summary.count += sample.values.count
                summary.max = sample.values.reduce(summary.max, Swift.max)
            }
            state.series[key] = summary
            return true
        }
        guard accepted else { return }
        let descriptor = MetricNameDescriptor(metricName: name, unitName: "", helpText: Self.help[sample.key.name] ?? "")
        switch sample.kind {
        case .counter:
            registry.makeCounter(descriptor: descriptor, labels: labels).increment(by: sample.values.reduce(0, +))
        case .gauge:
            if let last = sample.values.last { registry.makeGauge(descriptor: descriptor, labels: labels).set(last) }
        case .histogram:
            let histogram = registry.makeValueHistogram(descriptor: descriptor, labels: labels, buckets: Self.buckets)
            for value in sample.values { histogram.record(value) }
        }
    }

    /// Prometheus text exposition format 0.0.4.
    public func prometheusText() -> String {
        registry.emitToString()
    }

    /// One row per series: name, labels, kind and value (histograms: count, sum, mean, max).
    public func table() -> String {
        let rows = state.withLock { $0.series }.sorted { $0.key < $1.key }
        var lines = [["metric", "labels", "kind", "value"]]
        for (key, summary) in rows {
            let labels = key.dimensions.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let value: String = switch summary.kind {
            case .counter, .gauge: Self.number(summary.value)
            case .histogram:
                "count \(summary.count), sum \(Self.number(summary.value)), mean \(Self.number(summary.count == 0 ? 0 : summary.value / Double(summary.count))), max \(Self.number(summary.max))"
            }
            lines.append([key.name, labels.isEmpty ? "-" : labels, summary.kind.rawValue, value])
        }
        let widths = (0..<4).map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { row in
            row.enumerated().map { column, text in
                column == 3 ? text : text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.4g", value)
    }

    private static let help: [String: String] = Dictionary(WorkerMetrics.catalogue.map { ($0.name, $0.help) }) { a, _ in a }

    /// A valid Prometheus metric name; counters end in `_total`.
    static func prometheusName(_ name: String, kind: MetricKind) -> String {
        var valid = String(name.unicodeScalars.enumerated().map { index, scalar -> Character in
            let ok = scalar.isASCII && (CharacterSet.letters.contains(scalar) || scalar == "_" || scalar == ":" || (index > 0 && CharacterSet.decimalDigits.contains(scalar)))
            return ok ? Character(scalar) : "_"
        })
        if valid.isEmpty { valid = "_" }
        if kind == .counter, !valid.hasSuffix("_total") { valid += "_total" }
        return valid
    }

    /// A valid Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
    static func labelName(_ name: String) -> String {
        let valid = String(name.unicodeScalars.enumerated().map { index, scalar -> Character in
            let ok = scalar.isASCII && (CharacterSet.letters.contains(scalar) || scalar == "_" || (index > 0 && CharacterSet.decimalDigits.contains(scalar)))
            return ok ? Character(scalar) : "_"
        })
        return valid.isEmpty || valid.hasPrefix("__") ? "x" + valid : valid
    }
}
