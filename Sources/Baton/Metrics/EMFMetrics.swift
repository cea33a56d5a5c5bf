import CoreMetrics
import Foundation
import Synchronization

/// A swift-metrics backend that writes CloudWatch Embedded Metric Format lines (AWS,
/// "Embedded metric format specification": one JSON object per line with `_aws.Timestamp`
/// in milliseconds since the epoch and `_aws.CloudWatchMetrics` naming the namespace,
/// dimension sets and metrics with units) into the log stream, next to the JSON log lines.
///
/// Samples are kept in memory and written by ``flush(at:)`` — every few seconds and on
/// shutdown (``EMFFlusher``). Each line carries what happened since the previous flush:
/// a counter's increments, a histogram's (timer's, aggregating recorder's) values, a
/// gauge's latest value. CloudWatch sums and aggregates such datapoints; so does
/// `baton metrics`. EMF's limits are kept: at most 100 metrics per object, 30 dimension
/// keys per dimension set and 100 values per metric (more values go on further lines).
/// Dimensions must be low-cardinality (stage, outcome, route, operation) — never a job id
/// or a token.
///
/// Counters are `Count`, timers are recorded in `Seconds` (their Prometheus names end in
/// `_seconds`), recorders `None`. Each line also carries `BatonMetricKinds` (name →
/// counter/gauge/histogram), a property CloudWatch ignores, for the scraper.
public final class EMFMetrics: MetricsFactory, Sendable {
    /// EMF limits (AWS "Embedded metric format specification").
    public static let maxMetricsPerObject = 100
    public static let maxValuesPerMetric = 100
    public static let maxDimensionKeys = 30

    /// The CloudWatch namespace of every metric.
    public let namespace: String
    private let sink: LogSink
    private let series = Mutex<[MetricSeriesKey: Series]>([:])

    struct Series {
        var kind: MetricKind
        var unit: String
        var sum: Double = 0
        var values: [Double] = []
        var latest: Double?
        var dirty = false
    }

    public init(namespace: String = "Baton", sink: LogSink = .standardError) {
        self.namespace = namespace
        self.sink = sink
    }

    // MARK: Recording

    func add(_ key: MetricSeriesKey, _ amount: Double) {
        series.withLock { all in
            all[key, default: Series(kind: .counter, unit: "Count")].sum += amount
            all[key]!.dirty = true
        }
    }

    func observe(_ key: MetricSeriesKey, _ value: Double, unit: String) {
        series.withLock { all in
            all[key, default: Series(kind: .histogram, unit: unit)].values.append(value)
            all[key]!.dirty = true
        }
    }

    func set(_ key: MetricSeriesKey, _ value: Double) {
        series.withLock { all in
            all[key, default: Series(kind: .gauge, unit: "None")].latest = value
            all[key]!.dirty = true
        }
    }

    private func register(_ key: MetricSeriesKey, _ kind: MetricKind, unit: String) {
        series.withLock { all in
            if all[key] == nil { all[key] = Series(kind: kind, unit: unit) }
        }
    }

    // MARK: Flushing

    /// Takes the samples since the previous flush and writes them as EMF lines; returns
    /// the lines (each ends in a line feed). Gauges that were ever set are written every
    /// time; counters and histograms only when something was recorded.
    @discardableResult
    public func flush(at date: Date = Date()) -> [[UInt8]] {
        let taken: [(MetricSeriesKey, Series)] = series.withLock { all in
            var taken: [(MetricSeriesKey, Series)] = []
            for (key, value) in all where value.dirty || (value.kind == .gauge && value.latest != nil) {
                taken.append((key, value))
                all[key]!.dirty = false
                all[key]!.sum = 0
                all[key]!.values = []
            }
            return taken
        }
        let lines = Self.lines(taken, namespace: namespace, timestamp: Int64((date.timeIntervalSince1970 * 1000).rounded()))
        if !lines.isEmpty { sink.write(lines.flatMap { $0 }) }
        return lines
    }

    /// One EMF object per dimension set (more when a set has over 100 metrics or a metric
    /// over 100 values).
    static func lines(_ taken: [(MetricSeriesKey, Series)], namespace: String, timestamp: Int64) -> [[UInt8]] {
        let byDimensions = Dictionary(grouping: taken) { $0.0.dimensions }
        var lines: [[UInt8]] = []
        for dimensions in byDimensions.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let members = byDimensions[dimensions]!.sorted { $0.0.name < $1.0.name }
            // Round r carries values r*100..<(r+1)*100 of each histogram; metrics of one
            // round go out 100 at a time.
            var round = 0
            while true {
                let slice: [(String, Series, [Double])] = members.compactMap { key, series in
                    switch series.kind {
                    case .counter: return round == 0 ? (key.name, series, [series.sum]) : nil
                    case .gauge: return round == 0 ? series.latest.map { (key.name, series, [$0]) } : nil
                    case .histogram:
                        let from = round * maxValuesPerMetric
                        guard from < series.values.count else { return nil }
                        return (key.name, series, Array(series.values[from..<min(from + maxValuesPerMetric, series.values.count)]))
                    }
                }
                if slice.isEmpty { break }
                var start = 0
                while start < slice.count {
                    let chunk = slice[start..<min(start + maxMetricsPerObject, slice.count)]
                    lines.append(line(chunk, dimensions: dimensions, namespace: namespace, timestamp: timestamp))
                    start += maxMetricsPerObject
                }
                round += 1
            }
        }
        return lines
    }

    private static func line(
        _ metrics: ArraySlice<(String, Series, [Double])>, dimensions: [MetricSeriesKey.Dimension], namespace: String, timestamp: Int64
    ) -> [UInt8] {
        let dimensions = Array(dimensions.prefix(maxDimensionKeys))
        var json = JSONWriter(capacity: 256 + 64 * metrics.count)
        json.beginObject()
        json.key("_aws")
        json.beginObject()
        json.key("Timestamp"); json.int(timestamp)
        json.key("CloudWatchMetrics")
        json.beginArray()
        json.beginObject()
        json.key("Namespace"); json.string(namespace)
        json.key("Dimensions")
        json.beginArray()
        json.beginArray()
        for dimension in dimensions { json.string(dimension.key) }
        json.endArray()
        json.endArray()
        json.key("Metrics")
        json.beginArray()
        for (name, series, _) in metrics {
            json.beginObject()
            json.key("Name"); json.string(name)
            json.key("Unit"); json.string(series.unit)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.endArray()
        json.endObject()
        for dimension in dimensions {
            json.key(dimension.key); json.string(dimension.value)
        }
        for (name, _, values) in metrics {
            json.key(name)
            if values.count == 1 {
                json.double(values[0])
            } else {
                json.beginArray()
                for value in values { json.double(value) }
                json.endArray()
            }
        }
        json.key(kindsProperty)
        json.beginObject()
        for (name, series, _) in metrics {
            json.key(name); json.string(series.kind.rawValue)
        }
        json.endObject()
        json.endObject()
        json.raw(0x0A)
        return json.bytes
    }

    /// The property naming each metric's kind in an EMF line.
    public static let kindsProperty = "BatonMetricKinds"

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let key = MetricSeriesKey(name: label, dimensions: dimensions)
        register(key, .counter, unit: "Count")
        return EMFCounter(key: key, metrics: self)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let key = MetricSeriesKey(name: label, dimensions: dimensions)
        register(key, aggregate ? .histogram : .gauge, unit: "None")
        return EMFRecorder(key: key, aggregate: aggregate, metrics: self)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let key = MetricSeriesKey(name: label, dimensions: dimensions)
        register(key, .histogram, unit: "Seconds")
        return EMFTimer(key: key, metrics: self)
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}

final class EMFCounter: CounterHandler, Sendable {
    let key: MetricSeriesKey
    let metrics: EMFMetrics
    init(key: MetricSeriesKey, metrics: EMFMetrics) { self.key = key; self.metrics = metrics }
    func increment(by amount: Int64) { metrics.add(key, Double(amount)) }
    /// A reset cannot be expressed as a delta; it is ignored (Prometheus counters only rise).
    func reset() {}
}

final class EMFRecorder: RecorderHandler, Sendable {
    let key: MetricSeriesKey
    let aggregate: Bool
    let metrics: EMFMetrics
    init(key: MetricSeriesKey, aggregate: Bool, metrics: EMFMetrics) { self.key = key; self.aggregate = aggregate; self.metrics = metrics }
    func record(_ value: Int64) { record(Double(value)) }
    func record(_ value: Double) {
        if aggregate { metrics.observe(key, value, unit: "None") } else { metrics.set(key, value) }
    }
}

final class EMFTimer: TimerHandler, Sendable {
    let key: MetricSeriesKey
    let metrics: EMFMetrics
    init(key: MetricSeriesKey, metrics: EMFMetrics) { self.key = key; self.metrics = metrics }
    func recordNanoseconds(_ duration: Int64) { metrics.observe(key, Double(duration) / 1e9, unit: "Seconds") }
}
