/// Lines of aligned columns: text columns left-aligned, number columns right-aligned.
public struct TextTable: Sendable {
    /// How a column's cells line up.
    public enum Alignment: Sendable { case left, right }

    /// The columns' titles and alignments.
    public var columns: [(title: String, alignment: Alignment)]
    /// The rows' cells, one string per column.
    public var rows: [[String]] = []

    /// A table with `columns` (title, alignment) and no rows.
    public init(_ columns: [(String, Alignment)]) {
        self.columns = columns.map { (title: $0.0, alignment: $0.1) }
    }

    /// Each column's width: its longest cell or title.
    public var widths: [Int] {
        columns.indices.map { index in
            max(columns[index].title.count, rows.map { index < $0.count ? $0[index].count : 0 }.max() ?? 0)
        }
    }

    /// The titles line.
    public func header(widths: [Int]? = nil) -> String {
        render(columns.map(\.title), widths: widths ?? self.widths)
    }

    /// The titles line and one line per row.
    public func lines() -> [String] {
        let widths = widths
        return [header(widths: widths)] + rows.map { render($0, widths: widths) }
    }

    /// One row with fixed widths (for lines printed as they happen).
    public func render(_ cells: [String], widths: [Int]) -> String {
        var parts: [String] = []
        for (index, cell) in cells.enumerated() {
            let width = index < widths.count ? widths[index] : cell.count
            let padding = String(repeating: " ", count: max(0, width - cell.count))
            let alignment = index < columns.count ? columns[index].alignment : .left
            parts.append(alignment == .left ? cell + padding : padding + cell)
        }
        var line = parts.joined(separator: "  ")
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }
}
