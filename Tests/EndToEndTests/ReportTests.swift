import Baton
import BatonTestSupport
import Foundation
import Testing

@Suite("End to end: the timeline report")
struct ReportTests {
    @Test("baton report draws every job of the run and the dead letter; headless Chromium runs its script without errors and takes a screenshot")
    func report() async throws {
        let harness = try await EndToEndHarness("report")
        defer { Task { await harness.stop() } }
        let keys = ["daily/sales.csv", "daily/finance.csv", "daily/stock.csv"]
        for (index, key) in keys.enumerated() { try await harness.putReport(key, size: 40_000 * (index + 1)) }
        let worker = try await harness.startWorker()
        let jobIds = try await harness.publish(keys)
        try await harness.produceRaw([(key: Array("unreadable-job".utf8), value: Array("this is not a job".utf8))])
        let outcomes = try await harness.outcomes(keys.count + 1, within: 90)
        try await worker.stop()
        #expect(outcomes.filter { $0.status == .completed }.count == keys.count)

        let directory = harness.directory
        let html = directory + "/report.html"
        let status = try await ToolProcesses.run(
            [EndToEndHarness.batonExecutable, "report", "--config", harness.configFile, "--since", "10m", "--out", html],
            stdout: directory + "/report.out", stderr: directory + "/report.err", environment: harness.environment)
        #expect(status == 0, "\((try? String(contentsOfFile: directory + "/report.err", encoding: .utf8)) ?? "")")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        for jobId in jobIds { #expect(page.contains("data-job=\"\(jobId)\""), "job \(jobId) has a timeline row") }
        #expect(page.contains("unreadable-job"), "the dead letter is listed")
        #expect(page.contains("poison"))
        #expect(!page.contains("src=\"http") && !page.contains("href=\"http") && !page.contains("<link"), "no external assets")

        // Headless Chromium: the DOM after the script ran, and the console on stderr.
        let dom = directory + "/report.dom.html", console = directory + "/chromium.log"
        let chromium = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
        let dumped = try await ToolProcesses.run(
            chromium + ["--enable-logging=stderr", "--v=0", "--dump-dom", "file://\(html)"],
            stdout: dom, stderr: console, timeout: .seconds(90))
        #expect(dumped == 0)
        let rendered = try String(contentsOfFile: dom, encoding: .utf8)
        let messages = (try? String(contentsOfFile: console, encoding: .utf8)) ?? ""
        #expect(rendered.contains("data-script=\"ok\""), "the page's script ran to its end without errors")
        #expect(!messages.contains("Uncaught"), "console: \(messages)")
        #expect(rendered.contains("<span id=\"drawn\">\(keys.count + 1)</span>"), "the script counted every drawn job")
        for jobId in jobIds { #expect(rendered.contains(jobId)) }

        let screenshot = directory + "/report.png"
        let shot = try await ToolProcesses.run(
            chromium + ["--hide-scrollbars", "--window-size=1280,1100", "--screenshot=\(screenshot)", "file://\(html)"],
            stdout: directory + "/screenshot.out", stderr: directory + "/screenshot.err", timeout: .seconds(90))
        #expect(shot == 0)
        let png = try #require(FileManager.default.contents(atPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        // BATON_TEST_SCREENSHOT=docs/report.png keeps a copy (the one in docs/ was made so).
        if let keep = ProcessInfo.processInfo.environment["BATON_TEST_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: screenshot, toPath: keep)
        }
    }
}
