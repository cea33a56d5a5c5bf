/// An AWS access key pair (plus a session token for temporary credentials).
///
/// Its descriptions and its mirror show the access key id only: the secret key and the
/// session token never reach a log line, an error or `dump()`.
public struct S3Credentials: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// For temporary credentials (STS, instance and task roles); sent as
    /// `x-amz-security-token`.
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

extension S3Credentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        let token = sessionToken == nil ? "none" : "<redacted>"
        return "S3Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, sessionToken: \(token))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyID": accessKeyID,
                "secretAccessKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "none" : "<redacted>",
            ])
    }
}
