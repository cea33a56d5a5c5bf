import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One printed figure: what it measures, its unit, and one value per repetition
/// (warm-ups excluded). Printed as median and min–max.
struct Figure: Sendable {
    var section: String
    var what: String
    var unit: String
    var values: [Double]

    init(_ section: String, _ what: String, _ unit: String, _ values: [Double]) {
        self.section = section
        self.what = what
        self.unit = unit
        self.values = values
    }

    var median: Double { Stats.percentile(values, 50) }
}

enum Stats {
    /// Nearest-rank percentile (p in 0...100) of `values`; NaN when empty.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        if p == 50, sorted.count % 2 == 0 {
            return (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank - 1, 0), sorted.count - 1)]
    }
}

extension Duration {
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    var inMilliseconds: Double { inSeconds * 1000 }
}

/// Megabytes (10^6 bytes) per second.
func megabytesPerSecond(_ bytes: Int, _ elapsed: Duration) -> Double {
    Double(bytes) / 1e6 / elapsed.inSeconds
}

/// CPU time (user + system) this process has used, all threads.
enum CPUTime {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// Memory figures from /proc (kB values, reported in MiB).
enum Memory {
    /// `VmHWM` (peak resident set) and `VmRSS` of a process, in MiB.
    static func status(pid: String = "self") -> (peak: Double, current: Double)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Double? {
            for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
                let number = line.dropFirst(name.count + 1).split(whereSeparator: \.isWhitespace).first
                return number.flatMap { Double($0) }.map { $0 / 1024 }
            }
            return nil
        }
        guard let peak = field("VmHWM"), let current = field("VmRSS") else { return nil }
        return (peak, current)
    }
}

/// The printed table: one row per figure, in the order measured.
struct FigureTable {
    var figures: [Figure] = []

    mutating func add(_ figure: Figure) { figures.append(figure) }
    mutating func add(contentsOf more: [Figure]) { figures.append(contentsOf: more) }

    func render() -> String {
        let header = ["#", "what it measures", "median", "min – max", "unit", "n"]
        var rows: [[String]] = []
        var lastSection = ""
        for figure in figures {
            let section = figure.section == lastSection ? "" : figure.section
            lastSection = figure.section
            let sorted = figure.values.sorted()
            let range = sorted.count > 1 ? "\(format(sorted.first!)) – \(format(sorted.last!))" : ""
            rows.append([section, figure.what, format(figure.median), range, figure.unit, String(figure.values.count)])
        }
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        // Numbers right-aligned, text left-aligned.
        let rightAligned: Set<Int> = [2, 3, 5]
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        var out = [line(header), line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map(line)
        return out.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n")
    }

    /// Three significant digits at least, thousands grouped.
    func format(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let magnitude = abs(value)
        let decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        let text = String(format: "%.\(decimals)f", magnitude)
        let parts = text.split(separator: ".", maxSplits: 1)
        var whole = String(parts[0])
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        grouped = whole + grouped
        if parts.count > 1 { grouped += "." + parts[1] }
        return (value < 0 ? "-" : "") + grouped
    }
}
