import Foundation
import Mustache

/// Renders an outcome into the e-mail text operators configured (Mustache templates).
public struct OutcomeMessage: Sendable {
    private let subject: MustacheTemplate
    private let body: MustacheTemplate

    public init(subject: String, body: String) throws {
        // Plain-text mail: values must not be HTML-escaped.
        let text = "{{% CONTENT_TYPE: TEXT}}"
        do {
            self.subject = try MustacheTemplate(string: text + subject)
            self.body = try MustacheTemplate(string: text + body)
        } catch {
            throw ConfigurationError(key: "notify.emailSubject/emailBody", message: "invalid Mustache template: \(error)")
        }
    }

    public func render(_ record: OutcomeRecord) -> (subject: String, body: String) {
        let fields = Self.fields(record)
        let subjectLine = subject.render(fields).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        return (subjectLine, body.render(fields))
    }

    static func fields(_ record: OutcomeRecord) -> [String: Any] {
        func seconds(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "" }
        var fields: [String: Any] = [
            "jobId": record.jobId,
            "status": record.status.rawValue,
            "bucket": record.source?.bucket ?? "",
            "key": record.source?.key ?? "",
            "slices": record.slices,
            "bytesUploaded": record.bytesUploaded,
            "queuedSeconds": seconds(record.timings.queuedSeconds),
            "birstSeconds": seconds(record.timings.birstSeconds),
            "totalSeconds": seconds(record.timings.totalSeconds),
        ]
        fields["message"] = record.message
        fields["errorKind"] = record.errorKind
        fields["spaceId"] = record.target?.spaceId
        fields["sourceName"] = record.target?.sourceName
        fields["route"] = record.target?.route
        fields["worker"] = record.worker
        return fields
    }
}
