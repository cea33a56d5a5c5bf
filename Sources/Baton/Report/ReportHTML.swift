import Foundation

/// Renders a ``TimelineReport`` as one self-contained HTML file: inline CSS, inline SVG
/// drawn here, and a small inline script (a job filter and hover details) — no external
/// asset, so it opens anywhere, also offline and as an e-mail attachment.
public enum ReportHTML {
    /// At most this many jobs get a timeline row (the latest ones); the rest are counted.
    public static let maxRows = 300

    static let stageColours: [JobStage: String] = [
        .upload: "#4e79a7", .awaitUpload: "#76b7b2", .publish: "#f28e2b", .awaitPublish: "#e3b400", .notify: "#59a14f",
    ]
    static let statusColours: [String: String] = [
        "completed": "#2e7d32", "failed": "#c62828", "dead-lettered": "#6a1b9a", "superseded": "#757575", "unrouted": "#9e9e9e",
        "unconfirmed": "#ef6c00", "skipped": "#bdbdbd",
    ]

    public static func render(_ report: TimelineReport, generatedAt: Date = Date()) -> String {
        let rows = Array(report.jobs.suffix(maxRows))
        let hidden = report.jobs.count - rows.count
        let start = min(rows.map(\.start).min() ?? report.since, report.outcomes.map(\.timings.finishedAt).min() ?? .distantFuture)
        let end = max(rows.map(\.end).max() ?? report.until, start.addingTimeInterval(1))
        let counts = Dictionary(grouping: report.outcomes, by: \.status.rawValue).mapValues(\.count)

        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Baton report \(escape(time(report.since))) – \(escape(time(report.until)))</title>
            <style>\(css)</style></head>
            <body data-script="pending">
            <header><h1>Baton report</h1>
            <p class="range">\(escape(time(report.since))) → \(escape(time(report.until))) · generated \(escape(time(generatedAt)))</p>
            <p class="summary">\(report.jobs.count) jobs · \(report.outcomes.count) outcomes (\(counts.sorted { $0.key < $1.key }.map { "\($0.value) \(escape($0.key))" }.joined(separator: ", ")))
             · \(report.deadLetters.count) dead letters · <span id="drawn">\(rows.count)</span> timelines drawn</p>
            <div id="script-errors" hidden></div>
            </header>

            """
        html += "<section><h2>Timeline per job</h2>\n"
        html += legend()
        html += "<p><input id=\"filter\" type=\"search\" placeholder=\"filter by job id or key\" size=\"40\"></p>\n"
        if hidden > 0 { html += "<p class=\"note\">\(hidden) earlier jobs not drawn (only the latest \(maxRows)).</p>\n" }
        html += timelines(rows, start: start, end: end)
        html += "</section>\n"
        html += "<section><h2>Throughput</h2>\n" + throughput(report.outcomes, start: start, end: end) + "</section>\n"
        html += "<section><h2>Slowest jobs</h2>\n" + slowest(report.slowest(10)) + "</section>\n"
        html += "<section><h2>Dead letters by kind</h2>\n" + deadLetters(report) + "</section>\n"
        html += "<script>\(script)</script>\n</body></html>\n"
        return html
    }

    // MARK: Parts

    private static func legend() -> String {
        var items = JobStage.allCases.map { "<span class=\"key\"><i style=\"background:\(stageColours[$0] ?? "#999")\"></i>\($0.rawValue)</span>" }
        items.append("<span class=\"key\"><i style=\"background:#d9d9d9\"></i>queued</span>")
        items.append("<span class=\"key\"><i class=\"wait\"></i>waiting (back-off)</span>")
        items += statusColours.sorted { $0.key < $1.key }.map { "<span class=\"key\"><b style=\"color:\($0.value)\">●</b>\($0.key)</span>" }
        return "<p class=\"legend\">" + items.joined(separator: " ") + "</p>\n"
    }

    private static func timelines(_ jobs: [TimelineReport.Job], start: Date, end: Date) -> String {
        let label = 250.0, width = 1150.0, rowHeight = 20.0, top = 24.0
        let plot = width - label - 20
        let span = end.timeIntervalSince(start)
        func x(_ date: Date) -> Double { label + max(0, min(1, date.timeIntervalSince(start) / span)) * plot }
        let height = top + Double(jobs.count) * rowHeight + 10
        var svg = "<svg id=\"timeline\" class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        svg += "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eee\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#bbb\" stroke-width=\"3\"/></pattern></defs>\n"
        for tick in ticks(start: start, end: end, count: 6) {
            let tx = x(tick)
            svg += "<line class=\"grid\" x1=\"\(f(tx))\" y1=\"\(f(top - 6))\" x2=\"\(f(tx))\" y2=\"\(f(height - 10))\"/><text class=\"tick\" x=\"\(f(tx))\" y=\"14\">\(escape(clock(tick)))</text>\n"
        }
        for (index, job) in jobs.enumerated() {
            let y = top + Double(index) * rowHeight
            let status = job.outcome?.status.rawValue ?? "running"
            svg += "<g class=\"job\" data-job=\"\(escape(job.jobId))\" data-key=\"\(escape(job.key ?? ""))\" data-status=\"\(escape(status))\">"
            let name = job.key.map { "\($0) (\(job.jobId.prefix(12)))" } ?? job.jobId
            svg += "<text class=\"label\" x=\"\(f(label - 8))\" y=\"\(f(y + 14))\"><title>\(escape(job.jobId))</title>\(escape(String(name.suffix(40))))</text>"
            for segment in job.segments {
                let x0 = x(segment.start), x1 = max(x(segment.end), x0 + 1.5)
                let (fill, what): (String, String) = switch segment.kind {
                case .slice(let stage): (stageColours[stage] ?? "#999", stage.rawValue)
                case .wait: ("url(#hatch)", "waiting")
                case .queued: ("#d9d9d9", "queued")
                }
                let detail = "\(job.jobId) · \(what) · \(clock(segment.start)) → \(clock(segment.end)) (\(seconds(segment.end.timeIntervalSince(segment.start))))" + (segment.endedBy.map { " · then \($0)" } ?? "")
                svg += "<rect x=\"\(f(x0))\" y=\"\(f(y + 3))\" width=\"\(f(x1 - x0))\" height=\"\(f(rowHeight - 6))\" fill=\"\(fill)\"><title>\(escape(detail))</title></rect>"
            }
            if let outcome = job.outcome {
                let colour = statusColours[outcome.status.rawValue] ?? "#333"
                let text = "\(outcome.status.rawValue) after \(seconds(outcome.timings.totalSeconds)), \(outcome.slices) slices" + (outcome.errorKind.map { " (\($0))" } ?? "")
                svg += "<circle cx=\"\(f(x(outcome.timings.finishedAt)))\" cy=\"\(f(y + rowHeight / 2))\" r=\"5\" fill=\"\(colour)\"><title>\(escape(text))</title></circle>"
            }
            svg += "</g>\n"
        }
        return svg + "</svg>\n"
    }

    private static func throughput(_ outcomes: [OutcomeRecord], start: Date, end: Date) -> String {
        guard !outcomes.isEmpty else { return "<p class=\"note\">No outcomes in this range.</p>\n" }
        let span = max(end.timeIntervalSince(start), 1)
        let bucket = niceBucket(span / 40)
        let first = (start.timeIntervalSince1970 / bucket).rounded(.down) * bucket
        let count = Int(((end.timeIntervalSince1970 - first) / bucket).rounded(.up)) + 1
        let statuses = Array(Set(outcomes.map(\.status.rawValue))).sorted()
        var grid = Array(repeating: [String: Int](), count: count)
        for outcome in outcomes {
            let index = min(max(Int((outcome.timings.finishedAt.timeIntervalSince1970 - first) / bucket), 0), count - 1)
            grid[index][outcome.status.rawValue, default: 0] += 1
        }
        let peak = max(grid.map { $0.values.reduce(0, +) }.max() ?? 1, 1)
        let width = 1150.0, height = 200.0, left = 50.0, bottom = 24.0
        let barWidth = (width - left - 10) / Double(count)
        var svg = "<svg id=\"throughput\" class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        let scale = (height - bottom - 10) / Double(peak)
        svg += "<text class=\"tick\" x=\"4\" y=\"16\">\(peak)</text><text class=\"tick\" x=\"4\" y=\"\(f(height - bottom))\">0</text>\n"
        for (index, cell) in grid.enumerated() {
            var y = height - bottom
            let x = left + Double(index) * barWidth
            for status in statuses {
                guard let n = cell[status], n > 0 else { continue }
                let h = Double(n) * scale
                y -= h
                let when = Date(timeIntervalSince1970: first + Double(index) * bucket)
                svg += "<rect x=\"\(f(x + 1))\" y=\"\(f(y))\" width=\"\(f(max(barWidth - 2, 1)))\" height=\"\(f(h))\" fill=\"\(statusColours[status] ?? "#333")\"><title>\(escape("\(clock(when)) +\(seconds(bucket)): \(n) \(status)"))</title></rect>"
            }
        }
        for tick in ticks(start: Date(timeIntervalSince1970: first), end: Date(timeIntervalSince1970: first + Double(count) * bucket), count: 6) {
            let x = left + (tick.timeIntervalSince1970 - first) / bucket * barWidth
            svg += "<text class=\"tick\" x=\"\(f(x))\" y=\"\(f(height - 6))\">\(escape(clock(tick)))</text>"
        }
        svg += "\n</svg>\n<p class=\"note\">Jobs finished per \(seconds(bucket)), by outcome.</p>\n"
        return svg
    }

    private static func slowest(_ records: [OutcomeRecord]) -> String {
        guard let longest = records.first?.timings.totalSeconds, longest > 0 else { return "<p class=\"note\">No finished jobs.</p>\n" }
        var html = "<table><tr><th>job</th><th>key</th><th>outcome</th><th>slices</th><th>queued</th><th>in Birst</th><th>total</th><th></th></tr>\n"
        for record in records {
            let share = record.timings.totalSeconds / longest * 100
            html += "<tr><td class=\"id\">\(escape(record.jobId))</td><td>\(escape(record.source?.key ?? ""))</td><td>\(escape(record.status.rawValue))</td>"
            html += "<td>\(record.slices)</td><td>\(record.timings.queuedSeconds.map(seconds) ?? "–")</td><td>\(record.timings.birstSeconds.map(seconds) ?? "–")</td>"
            html += "<td>\(seconds(record.timings.totalSeconds))</td><td class=\"bar\"><i style=\"width:\(f(share))%;background:\(statusColours[record.status.rawValue] ?? "#333")\"></i></td></tr>\n"
        }
        return html + "</table>\n"
    }

    private static func deadLetters(_ report: TimelineReport) -> String {
        let kinds = report.deadLettersByKind()
        guard let most = kinds.first?.count else { return "<p class=\"note\">No dead letters in this range.</p>\n" }
        var html = "<table id=\"dead-letters\"><tr><th>kind</th><th>count</th><th></th><th>latest reason</th></tr>\n"
        for (kind, count) in kinds {
            let latest = report.deadLetters.last { $0.kind == kind }
            html += "<tr><td>\(escape(kind))</td><td>\(count)</td><td class=\"bar\"><i style=\"width:\(f(Double(count) / Double(most) * 100))%;background:#6a1b9a\"></i></td>"
            html += "<td>\(escape(String((latest?.reason ?? "").prefix(200))))\(latest?.jobId.map { " <span class=\"id\">(\(escape($0)))</span>" } ?? "")</td></tr>\n"
        }
        return html + "</table>\n"
    }

    // MARK: Helpers

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func seconds(_ value: Double) -> String {
        switch value {
        case ..<1: String(format: "%.0f ms", value * 1000)
        case ..<120: String(format: "%.1f s", value)
        case ..<7200: String(format: "%.1f min", value / 60)
        default: String(format: "%.1f h", value / 3600)
        }
    }

    private static func time(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    /// `HH:mm:ss` in UTC.
    private static func clock(_ date: Date) -> String {
        let stamp = LogTimestamp.format(seconds: Int(date.timeIntervalSince1970.rounded(.down)), milliseconds: 0)
        return String(stamp.dropFirst(11).prefix(8))
    }

    /// A bucket length of 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 6, 12 h or a day.
    private static func niceBucket(_ raw: Double) -> Double {
        let steps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400]
        return steps.first { $0 >= raw } ?? 86400
    }

    private static func ticks(start: Date, end: Date, count: Int) -> [Date] {
        let span = end.timeIntervalSince(start)
        guard span > 0 else { return [start] }
        let step = niceBucket(span / Double(count))
        var tick = (start.timeIntervalSince1970 / step).rounded(.up) * step
        var ticks: [Date] = []
        while tick <= end.timeIntervalSince1970 {
            ticks.append(Date(timeIntervalSince1970: tick))
            tick += step
        }
        return ticks
    }

    private static let css = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;background:#fafafa}
        h1{margin:0 0 4px}h2{margin:28px 0 8px;font-size:18px}
        .range,.note{color:#666}.summary{font-weight:600}
        .chart{background:#fff;border:1px solid #ddd;max-width:100%;height:auto}
        .label{font-size:11px;text-anchor:end;fill:#333}.tick{font-size:10px;fill:#777;text-anchor:middle}
        .grid{stroke:#eee}.job:hover rect{opacity:.8}.job.hidden{display:none}
        .legend .key{margin-right:12px;white-space:nowrap}.legend i{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:middle}
        .legend i.wait{background:repeating-linear-gradient(45deg,#eee 0 3px,#bbb 3px 5px)}.legend b{margin-right:3px}
        table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;font-size:13px}
        td.id,.id{font-family:ui-monospace,monospace;font-size:12px}td.bar{width:240px}td.bar i{display:block;height:10px}
        #script-errors{color:#c62828;font-weight:600}
        """

    /// The filter box; errors of any script on the page are shown (and the test looks for
    /// `data-script="ok"`).
    private static let script = """
        (function(){
          var errors=document.getElementById('script-errors');
          window.addEventListener('error',function(e){errors.hidden=false;errors.textContent+='script error: '+e.message+'\\n';document.body.dataset.script='error';});
          var rows=Array.prototype.slice.call(document.querySelectorAll('#timeline .job'));
          var input=document.getElementById('filter');
          input.addEventListener('input',function(){
            var q=input.value.toLowerCase();
            rows.forEach(function(g){
              var hit=!q||g.dataset.job.toLowerCase().indexOf(q)>=0||g.dataset.key.toLowerCase().indexOf(q)>=0;
              g.classList.toggle('hidden',!hit);
            });
          });
          document.getElementById('drawn').textContent=String(rows.length);
          if(document.body.dataset.script==='pending'){document.body.dataset.script='ok';}
        })();
        """
}
