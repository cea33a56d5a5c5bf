/// A metric's name and dimension values: one time series.
public struct MetricSeriesKey: Hashable, Sendable, Comparable {
    public var name: String
    /// Dimension (label) pairs, sorted by key.
    public var dimensions: [Dimension]

    public struct Dimension: Hashable, Sendable, Comparable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }

        public static func < (a: Dimension, b: Dimension) -> Bool { (a.key, a.value) < (b.key, b.value) }
    }

    public init(name: String, dimensions: [(String, String)]) {
        self.name = name
        self.dimensions = dimensions.map { Dimension($0.0, $0.1) }.sorted()
    }

    public static func < (a: MetricSeriesKey, b: MetricSeriesKey) -> Bool {
        if a.name != b.name { return a.name < b.name }
        return a.dimensions.lexicographicallyPrecedes(b.dimensions)
    }
}
