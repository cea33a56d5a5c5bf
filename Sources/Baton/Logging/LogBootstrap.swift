import Logging
import Synchronization

/// Installs the JSON log handler once per process, at the configured level.
public enum LogBootstrap {
    private static let done = Mutex(false)

    public static func bootstrap(level: String) {
        let shouldBootstrap = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard shouldBootstrap else { return }
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }
}
