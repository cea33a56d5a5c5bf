import Birst
import Curl

/// The checks behind ``EnvironmentHealth``: whether a fault of Birst or S3 persists.
/// Birst: a login with a fresh session (then logout). S3: a 1-byte GET of a key that
/// need not exist in the bucket; any answer but rejected credentials or no connection
/// (found, `NoSuchKey`, `AccessDenied` for lack of `s3:ListBucket`) means S3 is usable.
struct EnvironmentProbe: Sendable {
    var birst: BirstClient
    var credentials: BirstCredentials
    var s3: S3Client
    var timeout: Duration

    /// The key the S3 check reads; it need not exist.
    static let s3CheckKey = ".baton-health-check"

    func check(_ fault: EnvironmentFault) async -> EnvironmentFault? {
        switch fault {
        case .birstCredentials, .birstUnreachable: await checkBirst()
        case .s3Credentials(let bucket, _), .s3Unreachable(let bucket, _): await checkS3(bucket: bucket)
        }
    }

    func checkBirst() async -> EnvironmentFault? {
        do {
            try await birst.checkLogin(credentials, deadline: .after(timeout))
            return nil
        } catch {
            return Self.environmentFault(error, bucket: "")
        }
    }

    func checkS3(bucket: String) async -> EnvironmentFault? {
        do {
            _ = try await s3.getObject(bucket: bucket, key: Self.s3CheckKey, range: 0..<1)
            return nil
        } catch {
            return Self.environmentFault(error, bucket: bucket)
        }
    }

    static func environmentFault(_ error: any Error, bucket: String) -> EnvironmentFault? {
        if case .environment(let fault) = SliceFailure.classify(error, previous: nil, bucket: bucket) { return fault }
        return nil
    }
}
