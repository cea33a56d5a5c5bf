import Foundation
import Yams

/// The ordered routing rules; the first route that matches an object wins. Kept in
/// their own YAML file (`routing.file`) because they are a list of records, which the
/// flat key/value settings cannot express.
public struct RouteTable: Sendable, Equatable {
    public var routes: [Route]

    public init(routes: [Route]) {
        self.routes = routes
    }

    public func route(bucket: String, key: String) -> Route? {
        routes.first { $0.matches(bucket: bucket, key: key) }
    }

    private struct File: Decodable {
        var routes: [Route]?
    }

    public static func load(path: String) throws -> RouteTable {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(key: "routing.file", message: "cannot read routes file \(path): \(error.localizedDescription)")
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String = "routes") throws -> RouteTable {
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: text)
        } catch let error as DecodingError {
            throw ConfigurationError(key: "routing.file", message: "\(path): \(error.readableDescription)")
        } catch {
            throw ConfigurationError(key: "routing.file", message: "\(path): \(error)")
        }
        let routes = file.routes ?? []
        var seen = Set<String>()
        for route in routes {
            guard seen.insert(route.name).inserted else {
                throw ConfigurationError(key: "routing.file", message: "\(path): route name \"\(route.name)\" is used twice")
            }
            guard !route.spaceId.isEmpty, !route.sourceName.isEmpty else {
                throw ConfigurationError(key: "routing.file", message: "\(path): route \"\(route.name)\" needs spaceId and sourceName")
            }
        }
        return RouteTable(routes: routes)
    }
}
