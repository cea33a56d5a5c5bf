/// One `setDataUploadOptions` entry, sent as `<string>name=value</string>`.
public struct DataUploadOption: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var wireValue: String { "\(name)=\(value)" }
    public var description: String { wireValue }

    /// Clients creating new sources send `ConsolidateIdenticalStructures=false`.
    public static func consolidateIdenticalStructures(_ on: Bool) -> Self { .init(name: "ConsolidateIdenticalStructures", value: "\(on)") }
    public static func columnNamesInFirstRow(_ on: Bool) -> Self { .init(name: "ColumnNamesInFirstRow", value: "\(on)") }
    public static func filterLikelyNoDataRows(_ on: Bool) -> Self { .init(name: "FilterLikelyNoDataRows", value: "\(on)") }
    public static func lockDataSourceFormat(_ on: Bool) -> Self { .init(name: "LockDataSourceFormat", value: "\(on)") }
    public static func ignoreQuotesNotAtStartOrEnd(_ on: Bool) -> Self { .init(name: "IgnoreQuotesNotAtStartOrEnd", value: "\(on)") }
    public static func rowsToSkipAtStart(_ rows: Int) -> Self { .init(name: "RowsToSkipAtStart", value: "\(rows)") }
    public static func rowsToSkipAtEnd(_ rows: Int) -> Self { .init(name: "RowsToSkipAtEnd", value: "\(rows)") }
    public static func characterEncoding(_ encoding: String) -> Self { .init(name: "CharacterEncoding", value: encoding) }
    public static func separator(_ separator: String) -> Self { .init(name: "Separator", value: separator) }
}
