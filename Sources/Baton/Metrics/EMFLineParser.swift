import Foundation

/// Reads one log line as CloudWatch Embedded Metric Format (AWS, "Embedded metric format
/// specification"): a JSON object whose `_aws.CloudWatchMetrics` directives name the
/// metrics (top-level members) and the dimension keys (top-level string members).
/// Any other line — a JSON log line, text, half a line — is not EMF and gives nil.
public enum EMFLineParser {
    /// One metric of one EMF line: its series, kind and the values the line carries.
    public struct Sample: Sendable, Equatable {
        public var key: MetricSeriesKey
        public var kind: MetricKind
        public var unit: String
        public var values: [Double]
    }

    private static let marker = Array("\"_aws\"".utf8)

    public static func parse(_ line: some Collection<UInt8>) -> [Sample]? {
        let bytes = Array(line)
        // Cheap rejection of ordinary log lines before any JSON parsing.
        guard bytes.first(where: { $0 != 0x20 && $0 != 0x09 }) == UInt8(ascii: "{"), contains(bytes, marker) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let aws = object["_aws"] as? [String: Any],
            let directives = aws["CloudWatchMetrics"] as? [[String: Any]]
        else { return nil }
        let kinds = object[EMFMetrics.kindsProperty] as? [String: String] ?? [:]
        var samples: [Sample] = []
        for directive in directives {
            let dimensionSets = directive["Dimensions"] as? [[String]] ?? [[]]
            let metrics = directive["Metrics"] as? [[String: Any]] ?? []
            for dimensionKeys in dimensionSets.isEmpty ? [[]] : dimensionSets {
                let dimensions: [(String, String)] = dimensionKeys.compactMap { key in
                    (object[key] as? String).map { (key, $0) }
                }
                for metric in metrics {
                    guard let name = metric["Name"] as? String else { continue }
                    let unit = metric["Unit"] as? String ?? "None"
                    let values: [Double]
                    if let number = object[name] as? NSNumber {
                        values = [number.doubleValue]
                    } else if let array = object[name] as? [NSNumber] {
                        values = array.map(\.doubleValue)
                    } else {
                        continue
                    }
                    let kind = kinds[name].flatMap(MetricKind.init(rawValue:))
                        ?? (unit == "Count" ? .counter : values.count > 1 ? .histogram : .gauge)
                    samples.append(Sample(key: MetricSeriesKey(name: name, dimensions: dimensions), kind: kind, unit: unit, values: values))
                }
            }
        }
        return samples
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        outer: for start in 0...(haystack.count - needle.count) {
            for offset in 0..<needle.count where haystack[start + offset] != needle[offset] { continue outer }
            return true
        }
        return false
    }
}
