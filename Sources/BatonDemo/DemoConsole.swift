import Foundation
import Synchronization

/// The demo's output for people: whole lines on standard output, written at once (also
/// when stdout is a pipe), so progress from several tasks never interleaves mid-line.
/// A closed stdout (the reader of a pipe went away on Ctrl-C) is ignored: the demo must
/// still stop what it started.
final class DemoConsole: Sendable {
    private let lock = Mutex(())

    func line(_ text: String = "") {
        write(text + "\n")
    }

    func lines(_ texts: [String]) {
        guard !texts.isEmpty else { return }
        write(texts.map { $0 + "\n" }.joined())
    }

    private func write(_ text: String) {
        lock.withLock { _ in try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8)) }
    }

    /// A headed step of the demo: `stack     Kafka 127.0.0.1:…`.
    func step(_ label: String, _ text: String) {
        line(label.padding(toLength: 10, withPad: " ", startingAt: 0) + text)
    }
}
