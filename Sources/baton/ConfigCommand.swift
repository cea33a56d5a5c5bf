import ArgumentParser
import Baton
import Foundation

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the effective configuration.",
        discussion: """
            Examples:
              baton config show
              baton config show --json
            """,
        subcommands: [Show.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every setting's effective value and where it came from (secrets masked).",
            discussion: """
                Sources, later wins: default (built in), file PATH (config/baton.yaml or \
                --config), env BATON_… (environment), flag (--set or a command's flag). Secrets \
                show only whether they are set (\(EffectiveSetting.masked)) and which variable or \
                secret file provided them. A setting that does not exist (in the file, --set) or \
                a malformed value is an error naming it, as for every command.

                Examples:
                  baton config show
                  baton config show --config /etc/baton/baton.yaml --set worker.concurrency=8
                  baton config show --json | jq -r '.[] | select(.source != "default") | .key'
                """
        )

        @OptionGroup var config: ConfigOptions

        @Flag(help: "Print a JSON array of {key, value, source, secret}.")
        var json = false

        func run() async throws {
            let sources = try config.sources()
            let configuration = try await config.load(sources)
            let settings = configuration.effectiveSettings(sources)
            if json {
                let objects = settings.map { ["key": $0.key, "value": $0.value, "source": $0.source, "secret": $0.isSecret] as [String: Any] }
                let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            let keyWidth = settings.map(\.key.count).max() ?? 0
            let valueWidth = min(48, settings.map { Self.shown($0.value).count }.max() ?? 0)
            for setting in settings {
                let value = Self.shown(setting.value)
                let key = setting.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0)
                let padded = value.count < valueWidth ? value.padding(toLength: valueWidth, withPad: " ", startingAt: 0) : value
                print("\(key)  \(padded)  (\(setting.source))")
            }
        }

        /// Multi-line values on one line; empty ones visible.
        static func shown(_ value: String) -> String {
            value.isEmpty ? "\"\"" : value.replacingOccurrences(of: "\n", with: "\\n")
        }
    }
}
