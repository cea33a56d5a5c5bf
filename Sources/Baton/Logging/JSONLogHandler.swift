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

    /// Fields the handler writes itself; metadata under these names is left out.
    private static let reserved: Set<String> = ["ts", "level", "logger", "msg", "source"]

    /// Writes the line in one pass with ``JSONWriter``: fixed fields first, then the
    /// metadata in dictionary order (unsorted: sorting with a locale-aware comparison
    /// through `JSONSerialization` took about half the worker's CPU at `info`).
    public func log(event: LogEvent) {
        var json = JSONWriter(capacity: 384)
        json.beginObject()
        json.key("ts"); json.string(Self.timestamp())
        json.key("level"); json.string(event.level.rawValue)
        json.key("logger"); json.string(label)
        json.key("msg"); json.string(event.message.description)
        if event.level >= .warning {
            json.key("source"); json.string("\(event.file.split(separator: "/").last ?? ""):\(event.line)")
        }
        // The handler's metadata, then the provider's, then the event's, each left out
        // where a later one has the same key: what merging them would give, without building
        // a merged dictionary for every line (two lines per hop at info).
        let provided = metadataProvider?.get() ?? [:]
        let own = event.metadata ?? [:]
        for (key, value) in metadata where provided[key] == nil && own[key] == nil {
            Self.write(key, value, into: &json)
        }
        for (key, value) in provided where own[key] == nil {
            Self.write(key, value, into: &json)
        }
        for (key, value) in own {
            Self.write(key, value, into: &json)
        }
        json.endObject()
        json.raw(0x0A)
        sink.write(json.bytes)
    }

    private static func write(_ key: String, _ value: Logger.Metadata.Value, into json: inout JSONWriter) {
        guard !reserved.contains(key) else { return }
        json.key(key)
        write(value, into: &json)
    }

    private static func write(_ value: Logger.Metadata.Value, into json: inout JSONWriter) {
        switch value {
        case .string(let string): json.string(string)
        case .stringConvertible(let convertible):
            if let number = convertible as? any BinaryInteger { json.int(Int64(number)) }
            else if let number = convertible as? Double { json.double(number) }
            else if let flag = convertible as? Bool { json.bool(flag) }
            else { json.string(convertible.description) }
        case .array(let values):
            json.beginArray()
            for element in values { write(element, into: &json) }
            json.endArray()
        case .dictionary(let values):
            json.beginObject()
            for (key, element) in values {
                json.key(key)
                write(element, into: &json)
            }
            json.endObject()
        }
    }

    private static func timestamp() -> String {
        LogTimestamp.now()
    }
}
