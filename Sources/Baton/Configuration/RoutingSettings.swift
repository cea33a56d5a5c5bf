import Foundation

/// Where the routes file is. A relative path is resolved against the configuration
/// file's directory, so `config/baton.yaml` finds `config/routes.yaml`.
public struct RoutingSettings: Sendable, Equatable {
    public static let defaultFile = "routes.yaml"

    public var file: String
    /// False when the default applies: then a missing file means "no routes yet".
    public var isExplicit: Bool

    static func load(_ settings: SettingsReader) -> RoutingSettings {
        let file = settings.string("routing.file")
        return RoutingSettings(file: file ?? defaultFile, isExplicit: file != nil)
    }

    /// The routes. With no routes every event becomes an `unrouted` outcome.
    public func load(baseDirectory: String) throws -> RouteTable {
        let path = file.hasPrefix("/") ? file : (baseDirectory as NSString).appendingPathComponent(file)
        if !isExplicit, !FileManager.default.fileExists(atPath: path) { return RouteTable(routes: []) }
        return try RouteTable.load(path: path)
    }
}
