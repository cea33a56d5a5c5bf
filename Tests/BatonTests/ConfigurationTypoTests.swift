import Baton
import Foundation
import Testing

/// Typos never pass silently: each is an error that names the key and suggests the
/// right spelling.
@Suite("Configuration: typos are errors with suggestions")
struct ConfigurationTypoTests {
    func load(file: String? = nil, environment: [String: String] = [:], flags: [String: String] = [:]) async throws -> BatonConfiguration {
        try await BatonConfiguration.load(ConfigSources(file: file, flags: flags, environment: environment, usesDefaultFile: false))
    }

    @Test("--set with a misspelt key is an error naming it with a suggestion")
    func misspeltSet() async throws {
        let error = await #expect(throws: ConfigurationError.self) { try await load(flags: ["worker.concurency": "2"]) }
        #expect(error?.key == "worker.concurency")
        #expect(error?.description.contains("worker.concurency (did you mean worker.concurrency?)") == true, "\(String(describing: error))")
        #expect(error?.description.contains("BATON_WORKER_CONCURENCY") == false, "no variable for a setting that does not exist")
        #expect(try await load(flags: ["worker.concurrency": "2"]).worker.concurrency == 2)
    }

    @Test("a duration without a unit is an error offering both readings", arguments: [
        ("worker.sliceBudget", "300000", "did you mean 300000ms (5m) or 300000s (83h20m)?"),
        ("birst.pollInterval", "15", "did you mean 15ms or 15s?"),
    ])
    func durationWithoutUnit(key: String, value: String, expected: String) async throws {
        let error = await #expect(throws: ConfigurationError.self) { try await load(flags: [key: value]) }
        #expect(error?.key == key)
        #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
        #expect(ConfigDuration.parse(value) == nil)
    }

    @Test("a route with a misspelt key names the route, the key and the right one")
    func misspeltRouteKey() {
        let error = #expect(throws: ConfigurationError.self) {
            try RouteTable.parse("routes:\n  - name: finance\n    bucket: reports\n    spaceid: s\n    sourceName: n\n")
        }
        #expect(error?.message.contains(#"route "finance": unknown route key "spaceid" (did you mean spaceId?)"#) == true, "\(String(describing: error))")
        let notify = #expect(throws: ConfigurationError.self) {
            try RouteTable.parse("routes:\n  - name: finance\n    bucket: reports\n    spaceId: s\n    sourceName: n\n    notify:\n      emial: [a@example.com]\n")
        }
        #expect(notify?.message.contains(#"unknown notify key "emial" (did you mean "email"?)"#) == true, "\(String(describing: notify))")
    }

    @Test("an unknown placeholder in a template is an error, not a literal source name")
    func unknownPlaceholder() {
        let error = #expect(throws: ConfigurationError.self) {
            try RouteTable.parse("routes:\n  - name: finance\n    bucket: reports\n    spaceId: s\n    sourceName: \"fin_{stemm}\"\n")
        }
        #expect(error?.message.contains("sourceName \"fin_{stemm}\" has an unknown placeholder {stemm} (did you mean {stem}?)") == true, "\(String(describing: error))")
        #expect(throws: Never.self) {
            try RouteTable.parse("routes:\n  - name: f\n    bucket: r\n    spaceId: \"space-{stem}\"\n    sourceName: \"{filename}\"\n")
        }
    }

    @Test("a routes file with a YAML syntax error is reported with its line and column")
    func routesSyntaxError() {
        let error = #expect(throws: ConfigurationError.self) {
            try RouteTable.parse("routes:\n  - name: finance\n    bucket: [reports\n    spaceId: s\n", path: "routes.yaml")
        }
        #expect(error?.message.hasPrefix("routes.yaml: YAML syntax error at line 4, column") == true, "\(String(describing: error))")
        #expect(error?.message.contains("not valid JSON") == false)
    }

    @Test("a configuration file with a YAML syntax error is reported with its line and column")
    func configSyntaxError() async throws {
        let file = NSTemporaryDirectory() + "baton-config-\(UUID().uuidString).yaml"
        try "worker:\n  concurrency: 4\n sliceBudget: 5m\n".write(toFile: file, atomically: true, encoding: .utf8)
        let error = await #expect(throws: ConfigurationError.self) { try await load(file: file) }
        #expect(error?.message.contains("YAML syntax error at line 3, column") == true, "\(String(describing: error))")
    }

    @Test("suggestions", arguments: [
        ("worker.concurency", "worker.concurrency"), ("spaceid", "spaceId"), ("stemm", "stem"), ("qwertyuiop", nil),
    ])
    func suggestions(word: String, expected: String?) {
        #expect(Suggestion.closest(to: word, among: ["worker.concurrency", "worker.retries", "spaceId", "sourceName", "stem", "filename"]) == expected)
    }
}
