/// Where report objects are read from: AWS S3 or any S3-compatible endpoint.
public struct S3Settings: Sendable, Equatable {
    /// nil for AWS itself; an URL like `http://127.0.0.1:9000` for MinIO, moto, Ceph.
    public var endpoint: String?
    public var region: String
    /// Path-style addressing (`endpoint/bucket/key`), which S3-compatible servers need.
    public var pathStyle: Bool
    public var accessKeyID: String?
    public var secretAccessKey: String?
    public var sessionToken: String?
    public var timeout: Duration

    static func load(_ settings: SettingsReader) throws -> S3Settings {
        let endpoint = settings.string("s3.endpoint")
        return S3Settings(
            endpoint: endpoint,
            region: settings.string("s3.region", default: "us-east-1"),
            pathStyle: try settings.bool("s3.pathStyle", default: endpoint != nil),
            accessKeyID: settings.string("s3.accessKeyId"),
            secretAccessKey: try settings.secret("s3.secretAccessKey"),
            sessionToken: try settings.secret("s3.sessionToken"),
            timeout: try settings.duration("s3.timeout", default: .seconds(60), minimum: .milliseconds(100))
        )
    }
}

import Curl
import Foundation

extension S3Settings {
    /// The S3 client's configuration; the access key pair falls back to the standard
    /// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables.
    public func clientConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> S3Configuration {
        guard let accessKeyID = accessKeyID ?? environment["AWS_ACCESS_KEY_ID"] else {
            throw ConfigurationError(key: "s3.accessKeyId", message: "required to read reports from S3 but not set")
        }
        guard let secret = secretAccessKey ?? environment["AWS_SECRET_ACCESS_KEY"] else {
            throw ConfigurationError(
                key: "s3.secretAccessKey",
                message: "required secret to read reports from S3 is not set; set BATON_S3_SECRET_ACCESS_KEY or s3.secretAccessKeyFile"
            )
        }
        return S3Configuration(
            endpoint: endpoint, region: region,
            credentials: S3Credentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: sessionToken ?? environment["AWS_SESSION_TOKEN"]),
            pathStyle: pathStyle
        )
    }
}
