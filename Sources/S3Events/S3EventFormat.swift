/// Which envelope an event arrived in; kept for logs and audit.
public enum S3EventFormat: String, Sendable, Codable {
    case s3Notification
    case sns
    case sqs
    case eventBridge
    case minio
    case manual
}
