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
        } catch let error where RouteKeys.Unknown.unwrap(error) != nil {
            throw ConfigurationError(key: "routing.file", message: "\(path): \(RouteKeys.Unknown.unwrap(error)!)")
        } catch let error where YAMLSyntax.describe(error) != nil {
            throw ConfigurationError(key: "routing.file", message: "\(path): \(YAMLSyntax.describe(error)!)")
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
            for (field, template) in [("spaceId", route.spaceId), ("sourceName", route.sourceName)] {
                if let unknown = Route.unknownPlaceholders(in: template).first {
                    let known = Route.placeholders.map { "{\($0)}" }
                    throw ConfigurationError(
                        key: "routing.file",
                        message: "\(path): route \"\(route.name)\": \(field) \"\(template)\" has an unknown placeholder \(Suggestion.annotate("{\(unknown)}", among: known)); placeholders: \(known.joined(separator: ", "))"
                    )
                }
            }
        }
        return RouteTable(routes: routes)
    }
}
