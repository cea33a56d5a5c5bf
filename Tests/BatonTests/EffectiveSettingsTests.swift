@testable import Baton
import Foundation
import Testing

@Suite("baton config show: effective settings")
struct EffectiveSettingsTests {
    @Test("each setting's source: default, file, environment, flag; secrets masked")
    func sources() async throws {
        let file = NSTemporaryDirectory() + "baton-config-\(UUID().uuidString).yaml"
        try "worker:\n  concurrency: 8\n  retries: 3\n".write(toFile: file, atomically: true, encoding: .utf8)
        let sources = ConfigSources(
            file: file, flags: ["worker.retries": "4"],
            environment: ["BATON_WORKER_MAX_SLICES": "5", "BATON_BIRST_PASSWORD": "hunter2", "BATON_INGEST_TOKEN": "t0ken"]
        )
        let settings = try await BatonConfiguration.load(sources).effectiveSettings(sources)
        let byKey = Dictionary(uniqueKeysWithValues: settings.map { ($0.key, $0) })
        #expect(byKey["worker.concurrency"] == EffectiveSetting(key: "worker.concurrency", value: "8", source: "file \(file)"))
        #expect(byKey["worker.retries"] == EffectiveSetting(key: "worker.retries", value: "4", source: "flag"))
        #expect(byKey["worker.maxSlices"] == EffectiveSetting(key: "worker.maxSlices", value: "5", source: "env BATON_WORKER_MAX_SLICES"))
        #expect(byKey["worker.sliceBudget"] == EffectiveSetting(key: "worker.sliceBudget", value: "5m", source: "default"))
        #expect(byKey["birst.password"] == EffectiveSetting(key: "birst.password", value: EffectiveSetting.masked, source: "env BATON_BIRST_PASSWORD", isSecret: true))
        #expect(byKey["smtp.password"]?.source == "not set")
        #expect(!settings.contains { $0.value.contains("hunter2") || $0.value.contains("t0ken") })
    }

    @Test("every setting Baton reads is shown (secret-file settings appear as their secret's source)")
    func complete() async throws {
        let sources = ConfigSources(environment: [:], usesDefaultFile: false)
        let accessed = AccessedKeys()
        _ = try BatonConfiguration.load(try await sources.settingsReader(reporter: accessed))
        let shown = Set(try await BatonConfiguration.load(sources).effectiveSettings(sources).map(\.key))
        let read = accessed.all.filter { !$0.hasSuffix("File") }
        #expect(read.subtracting(shown).isEmpty, "not shown: \(read.subtracting(shown).sorted())")
        #expect(shown.subtracting(read).isEmpty, "shown but not read: \(shown.subtracting(read).sorted())")
    }
}
