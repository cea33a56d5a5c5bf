import Baton
import Foundation
import Synchronization

/// Shows a replay's progress on standard error: a bar with counts and ETA redrawn in
/// place on a terminal, a plain line every few seconds otherwise. A dry run's lines say
/// "would copy": it produces nothing.
final class ReplayProgressPrinter: Sendable {
    private let terminal: Bool
    private let dryRun: Bool
    private let interval: Duration
    private struct State {
        /// When the last line was drawn.
        var last: ContinuousClock.Instant?
        /// The newest progress not shown (it came too soon after the last line):
        /// ``finish()`` shows it, so the last counts always reach the screen or the log.
        var unshown: ReplayProgress?
        /// Whether a bar was drawn (its line needs ending).
        var drewBar = false
    }

    private let state = Mutex(State())

    init(terminal: Bool = isatty(STDERR_FILENO) == 1, plainInterval: Duration = .seconds(5), dryRun: Bool = false) {
        self.terminal = terminal
        self.dryRun = dryRun
        self.interval = terminal ? .milliseconds(200) : plainInterval
    }

    func show(_ progress: ReplayProgress) {
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            let due = state.last.map { now - $0 >= interval } ?? true
            if due { state.last = now }
            state.unshown = due ? nil : progress
            return due
        }
        if due { draw(progress) }
    }

    private func draw(_ progress: ReplayProgress) {
        if terminal {
            state.withLock { $0.drewBar = true }
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + Self.bar(progress, dryRun: dryRun)).utf8))
        } else {
            FileHandle.standardError.write(Data((Self.plain(progress, dryRun: dryRun) + "\n").utf8))
        }
    }

    /// Shows the last progress if it was held back, and ends the bar's line so later
    /// output starts on a fresh one.
    func finish() {
        if let progress = state.withLock({ $0.unshown.take() }) { draw(progress) }
        if state.withLock({ $0.drewBar }) { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func bar(_ progress: ReplayProgress, width: Int = 30, dryRun: Bool = false) -> String {
        var text = ""
        if let total = progress.estimatedTotal, total > 0 {
            let fraction = min(1, Double(progress.scanned) / Double(total))
            let filled = Int(fraction * Double(width))
            text = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
                + String(format: "%3.0f%% ", fraction * 100)
        }
        text += "read \(progress.scanned)"
        if let total = progress.estimatedTotal { text += "/~\(total)" }
        text += "  selected \(progress.selected)  \(dryRun ? "would copy" : "copied") \(progress.copied)  refused \(progress.refused)"
        if let eta = progress.etaSeconds { text += "  ETA \(Self.duration(eta))" }
        return text
    }

    static func plain(_ progress: ReplayProgress, dryRun: Bool = false) -> String {
        var text = "replay\(dryRun ? " (dry run, nothing produced)" : ""): read \(progress.scanned)"
        if let total = progress.estimatedTotal { text += " of ~\(total)" }
        text += ", selected \(progress.selected), \(dryRun ? "would copy" : "copied") \(progress.copied), refused \(progress.refused), \(duration(progress.elapsed.seconds)) elapsed"
        if let eta = progress.etaSeconds { text += ", about \(duration(eta)) left" }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m\(String(format: "%02d", whole % 60))s" }
        return "\(whole / 3600)h\(String(format: "%02d", whole / 60 % 60))m"
    }
}
