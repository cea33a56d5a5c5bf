import Baton
import Foundation

/// The configuration the demo's workers (and its own publisher) read: DIR/baton.yaml and
/// DIR/routes.yaml, written fresh on every run. Addresses of the stack come from the
/// stack's environment, the simulator's endpoint is written here.
struct DemoConfigFiles {
    var directory: String
    var birstEndpoint: String
    var settings: DemoSettings
    var reports: [SampleReport]

    var configPath: String { directory + "/baton.yaml" }
    var routesPath: String { directory + "/routes.yaml" }

    static let consumerGroup = "baton-demo"
    static let birstUser = "baton"
    static let birstPassword = "baton-dev"

    func write() throws {
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        try routes.write(toFile: routesPath, atomically: true, encoding: .utf8)
    }

    var config: String {
        """
        # Written by `baton demo` for its workers; rewritten on every run. Kafka, S3 and SMTP
        # addresses come from the stack's environment (env in this directory).
        kafka:
          clientId: baton-demo
          groupId: \(Self.consumerGroup)
          # Tansu holds a group join for about half the session timeout.
          sessionTimeout: 6s
          properties:
            - heartbeat.interval.ms=500
        birst:
          # The simulator inside the `baton demo` process. Password: BATON_BIRST_PASSWORD.
          endpoint: \(birstEndpoint)
          username: \(Self.birstUser)
          callTimeout: 10s
          pollInterval: 1s
        worker:
          concurrency: 16
          sliceBudget: \(ConfigDuration.format(settings.sliceBudget))
          safetyMargin: 500ms
          shutdownGrace: 10s
          backoffInitial: 1s
          backoffMax: 10s
        log:
          level: info
        routing:
          file: routes.yaml

        """
    }

    var routes: String {
        var text = "# Written by `baton demo`: each sample report goes to its own Birst space.\nroutes:\n"
        for report in reports {
            text += """
                  - name: \(report.spaceId)
                    bucket: \(SampleReport.bucket)
                    key: "\(report.key)"
                    spaceId: \(report.spaceId)
                    sourceName: \(report.sourceName)
                    uploadOptions:
                      - ConsolidateIdenticalStructures=false
                      - ColumnNamesInFirstRow=true
                    notify:
                      email: [\(report.spaceId)-bi@example.com]

                """
        }
        return text
    }
}
