import Logging
import Synchronization

/// The handler behind `LogCapture`: every record it is given goes into the capture.
struct CapturingLogHandler: LogHandler {
    let label: String
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let error = event.error.map { " error: \($0)" } ?? ""
        capture.append("\(event.level) \(label): \(event.message) \(all)\(error)")
    }
}
