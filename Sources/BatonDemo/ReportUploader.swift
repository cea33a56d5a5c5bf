import Baton
import BirstSimulator
import Curl
import Foundation
import Logging
import S3Events

/// Generates the sample reports and puts them into the local S3, as the back office
/// would; each upload becomes the S3 event the demo publishes.
struct ReportUploader {
    var configuration: BatonConfiguration
    var environment: [String: String]
    var resources: DemoResources
    var console: DemoConsole
    var logger: Logger

    struct Upload {
        var report: SampleReport
        var event: S3ObjectEvent
        var sha256: String
    }

    func upload(_ reports: [SampleReport]) async throws -> [Upload] {
        let http = CurlClient(logger: logger)
        resources.register(http)
        let s3 = S3Client(configuration: try configuration.s3.clientConfiguration(environment: environment), http: http)
        try await s3.createBucket(SampleReport.bucket)
        var uploads: [Upload] = []
        let keyWidth = reports.map(\.key.count).max() ?? 0
        for (index, report) in reports.enumerated() {
            let bytes = report.generate()
            let eTag = try await s3.putObject(bucket: SampleReport.bucket, key: report.key, body: bytes, contentType: "text/csv")
            let event = S3ObjectEvent(
                bucket: SampleReport.bucket, key: report.key, size: bytes.count, eTag: eTag,
                eventTime: Timestamp.format(Date()))
            uploads.append(Upload(report: report, event: event, sha256: ContentHash.sha256(bytes)))
            let name = "s3://\(SampleReport.bucket)/" + report.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0)
            console.step(index == 0 ? "S3" : "", "\(name)  \(Formatting.padLeft(Formatting.bytes(bytes.count), 7))  → Birst space \(report.spaceId)")
        }
        return uploads
    }
}
