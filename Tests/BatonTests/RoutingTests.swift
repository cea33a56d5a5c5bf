import Baton
import Testing

@Suite("Routing: S3 objects → Birst targets")
struct RoutingTests {
    @Test("glob patterns", arguments: [
        ("daily/*.csv", "daily/a.csv", true),
        ("daily/*.csv", "daily/sub/a.csv", false),
        ("daily/**.csv", "daily/sub/a.csv", true),
        ("**", "any/thing/at/all", true),
        ("report-??.csv", "report-07.csv", true),
        ("report-??.csv", "report-7.csv", false),
        ("reports", "reports-eu", false),
        ("reports*", "reports-eu", true),
        ("a*a*a*a*a*a*b", String(repeating: "a", count: 200), false),
    ])
    func globs(pattern: String, text: String, matches: Bool) {
        #expect(Glob(pattern).matches(text) == matches)
    }

    static let file = """
    routes:
      - name: finance
        bucket: reports
        key: "finance/**"
        spaceId: space-finance
        sourceName: "fin_{stem}"
        subgroups: [nightly]
        notify:
          email: [finance@example.com]
      - name: everything-else
        bucket: "reports*"
        spaceId: space-misc
        sourceName: misc
    """

    @Test("the first matching route wins and fills the target")
    func firstMatchWins() throws {
        let table = try RouteTable.parse(Self.file)
        let finance = try #require(table.route(bucket: "reports", key: "finance/2026/q4 summary.csv"))
        #expect(finance.name == "finance")
        let target = finance.target(forKey: "finance/2026/q4 summary.csv")
        #expect(target.sourceName == "fin_q4 summary")
        #expect(target.subgroups == ["nightly"])
        #expect(target.notifyEmail == ["finance@example.com"])
        #expect(target.uploadOptions == ["ConsolidateIdenticalStructures=false"], "new sources get Birst's recommended option")
        #expect(table.route(bucket: "reports-eu", key: "x.csv")?.name == "everything-else")
        #expect(table.route(bucket: "other", key: "x.csv") == nil)
    }

    @Test("a broken routes file names the problem")
    func brokenFile() {
        let missing = #expect(throws: ConfigurationError.self) {
            try RouteTable.parse("routes:\n  - name: x\n    bucket: b\n    sourceName: s\n")
        }
        #expect(missing?.message.contains("spaceId") == true, "\(String(describing: missing))")
        let duplicate = #expect(throws: ConfigurationError.self) {
            try RouteTable.parse("routes:\n  - {name: x, bucket: b, spaceId: s, sourceName: n}\n  - {name: x, bucket: c, spaceId: s, sourceName: n}\n")
        }
        #expect(duplicate?.message.contains("used twice") == true)
    }
}
