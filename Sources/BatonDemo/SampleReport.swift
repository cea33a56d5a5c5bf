/// A generated back-office report: a CSV of about `targetSize` bytes, routed to its own
/// Birst space. The first two are the original story: finance and sales reports that
/// land at the same moment, for different spaces.
struct SampleReport: Sendable {
    var key: String
    var spaceId: String
    var sourceName: String
    var targetSize: Int
    var columns: [String]
    /// Added to the content's seed. A job's id (and so its partition, and the worker
    /// that owns it) follows from the report's bytes; these variants spread the five jobs
    /// over 0, 1 and 2 modulo 3 (and both parities for the story pair), so that each of
    /// the three workers of a fresh group (which splits the 12 partitions round robin)
    /// gets some of them.
    var variant: UInt64 = 0
    /// Makes row `n` (deterministic, so every run uploads the same bytes).
    var row: @Sendable (inout DemoRandom, Int) -> String

    static let bucket = "reports"

    static let catalogue: [SampleReport] = [
        SampleReport(
            key: "finance/gl-ledger-2026-11.csv", spaceId: "finance", sourceName: "gl_ledger", targetSize: 4_800_000,
            columns: ["posting_date", "account", "cost_center", "description", "debit", "credit"], variant: 6
        ) { random, n in
            "2026-11-\(random.pick(1...30)),\(4000 + random.pick(0...899)),CC-\(random.pick(100...180)),journal entry \(n),\(random.amount()),\(random.amount())"
        },
        SampleReport(
            key: "sales/orders-2026-11.csv", spaceId: "sales", sourceName: "orders", targetSize: 2_400_000,
            columns: ["order_id", "order_date", "region", "product", "quantity", "net_amount"]
        ) { random, n in
            "SO-\(100_000 + n),2026-11-\(random.pick(1...30)),\(random.pick(["EMEA", "AMER", "APAC"])),SKU-\(random.pick(1000...1999)),\(random.pick(1...40)),\(random.amount())"
        },
        SampleReport(
            key: "ops/inventory-2026-11.csv", spaceId: "operations", sourceName: "inventory", targetSize: 900_000,
            columns: ["warehouse", "sku", "on_hand", "reserved", "reorder_point"]
        ) { random, n in
            "WH-\(random.pick(1...12)),SKU-\(1000 + n % 1000),\(random.pick(0...5000)),\(random.pick(0...300)),\(random.pick(50...500))"
        },
        SampleReport(
            key: "marketing/campaigns-2026-11.csv", spaceId: "marketing", sourceName: "campaigns", targetSize: 350_000,
            columns: ["campaign", "channel", "impressions", "clicks", "spend"], variant: 12
        ) { random, n in
            "CMP-\(n),\(random.pick(["search", "social", "email", "display"])),\(random.pick(1000...900_000)),\(random.pick(10...9000)),\(random.amount())"
        },
        SampleReport(
            key: "hr/headcount-2026-11.csv", spaceId: "people", sourceName: "headcount", targetSize: 120_000,
            columns: ["employee_id", "department", "location", "fte", "start_date"], variant: 7
        ) { random, n in
            "E\(10_000 + n),\(random.pick(["Finance", "Sales", "Ops", "IT", "HR"])),\(random.pick(["Berlin", "Austin", "Pune", "Lyon"])),\(random.pick(["1.0", "0.8", "0.5"])),20\(random.pick(10...26))-0\(random.pick(1...9))-1\(random.pick(0...9))"
        },
    ]

    /// The CSV: a header row, then rows until the target size is reached.
    func generate() -> [UInt8] {
        var random = DemoRandom(seed: UInt64(truncatingIfNeeded: key.utf8.reduce(5381) { $0 &* 33 &+ Int($1) }) &+ variant)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(targetSize + 200)
        bytes.append(contentsOf: (columns.joined(separator: ",") + "\n").utf8)
        var n = 1
        while bytes.count < targetSize {
            bytes.append(contentsOf: row(&random, n).utf8)
            bytes.append(UInt8(ascii: "\n"))
            n += 1
        }
        return bytes
    }
}
