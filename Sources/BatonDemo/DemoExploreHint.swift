/// What `--keep-running` prints: how to reach everything the demo left running.
struct DemoExploreHint {
    var ready: DemoSetup.Ready
    var settings: DemoSettings
    var reportKey: String

    var lines: [String] {
        let dir = settings.stackDirectory
        let base = ready.simulator.baseURL ?? "?"
        return [
            "Still running for you to explore; Ctrl-C stops everything the demo started.",
            "  environment    set -a; . \(dir)/env; set +a",
            "  Birst sim      \(base)/admin/inspect   (SOAP endpoint \(base)/CommandWebService.asmx)",
            "  worker logs    \(dir)/worker-1.log … worker-\(settings.workers).log   (JSON lines)",
            "  topics         .build/debug/baton topics list",
            "  publish again  .build/debug/baton publish --config \(dir)/baton.yaml s3://\(SampleReport.bucket)/\(reportKey)",
            "                 (its hand-offs appear below)",
        ]
    }
}
