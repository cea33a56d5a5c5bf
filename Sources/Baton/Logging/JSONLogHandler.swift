import Foundation
import Logging
import Synchronization

/// One JSON object per line: what log shippers and the metrics scraper read. Metadata
/// values become top-level fields (job id, stage, slice, partition, offset, …).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink

    public init(label: String, level: Logger.Level = .info, sink: LogSink = .standardError) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [:]
        let merged = metadata
            .merging(metadataProvider?.get() ?? [:]) { _, new in new }
            .merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged { fields[key] = Self.json(value) }
        fields["ts"] = Self.timestamp()
        fields["level"] = event.level.rawValue
        fields["logger"] = label
        fields["msg"] = event.message.description
        if event.level >= .warning { fields["source"] = "\(event.file.split(separator: "/").last ?? ""):\(event.line)" }
        guard var data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        data.append(0x0A)
        sink.write(data)
    }

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible):
            if let number = convertible as? any BinaryInteger { return Int64(number) }
            if let number = convertible as? Double { return number }
            if let flag = convertible as? Bool { return flag }
            return convertible.description
        case .array(let values): return values.map(json)
        case .dictionary(let values): return values.mapValues(json)
        }
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// A format style is a value: no formatter built per line.
    private static func timestamp() -> String {
        Date().formatted(timestampStyle)
    }
}

/// Where log lines go; a whole line is written at once so concurrent slices never
/// interleave inside a line.
public final class LogSink: Sendable {
    private let write: @Sendable (Data) -> Void

    public init(_ write: @escaping @Sendable (Data) -> Void) {
        self.write = write
    }

    public static let standardError = LogSink { data in
        FileHandle.standardError.write(data)
    }

    func write(_ data: Data) { write(data) }

    /// Keeps every line in memory: for tests that assert what was (not) logged.
    public static func capturing() -> (LogSink, @Sendable () -> String) {
        let lines = Mutex<[String]>([])
        let sink = LogSink { data in
            lines.withLock { $0.append(String(decoding: data, as: UTF8.self)) }
        }
        return (sink, { lines.withLock { $0.joined() } })
    }
}
