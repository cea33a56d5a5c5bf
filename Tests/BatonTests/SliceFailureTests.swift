@testable import Baton
import Birst
import Curl
import Testing

@Suite("Slice failures: the job's fault or the environment's")
struct SliceFailureTests {
    @Test("a refused Birst login is the environment's fault, not the job's")
    func birstLogin() {
        let error = BirstError(kind: .badCredentials, operation: .login, message: "Login: Failed web services login attempt for user baton")
        guard case .environment(.birstCredentials) = SliceFailure.classify(error, previous: nil) else {
            Issue.record("\(SliceFailure.classify(error, previous: nil))")
            return
        }
    }

    @Test("Birst never reached: environment; reached and failed: the job's transient error")
    func birstUnreachable() {
        let refused = BirstError(kind: .transient, operation: .uploadData, message: "HTTP transport: Connection refused", mayHaveTakenEffect: false)
        guard case .environment(.birstUnreachable) = SliceFailure.classify(refused, previous: nil) else {
            Issue.record("\(SliceFailure.classify(refused, previous: nil))")
            return
        }
        let server = BirstError(kind: .transient, operation: .uploadData, message: "Server was unable to process request", httpStatus: 500, mayHaveTakenEffect: true)
        guard case .transient = SliceFailure.classify(server, previous: nil) else {
            Issue.record("\(SliceFailure.classify(server, previous: nil))")
            return
        }
    }

    @Test("S3: rejected credentials and no connection are the environment's; a denied object or a missing one is the job's")
    func s3() {
        let signature = S3Error.accessDenied(bucket: "reports", key: "a.csv", message: "SignatureDoesNotMatch: The request signature we calculated does not match")
        guard case .environment(.s3Credentials(bucket: "reports", _)) = SliceFailure.classify(signature, previous: nil) else {
            Issue.record("\(SliceFailure.classify(signature, previous: nil))")
            return
        }
        let refused = CurlError(code: 7, message: "Couldn't connect to server", url: "http://127.0.0.1:1/reports/a.csv")
        guard case .environment(.s3Unreachable(bucket: "reports", _)) = SliceFailure.classify(refused, previous: nil, bucket: "reports") else {
            Issue.record("\(SliceFailure.classify(refused, previous: nil, bucket: "reports"))")
            return
        }
        let denied = S3Error.accessDenied(bucket: "reports", key: "secret.csv", message: "AccessDenied: Access Denied")
        guard case .deadLetter(.s3Denied, _) = SliceFailure.classify(denied, previous: nil) else {
            Issue.record("\(SliceFailure.classify(denied, previous: nil))")
            return
        }
        guard case .deadLetter(.s3Missing, _) = SliceFailure.classify(S3Error.notFound(bucket: "reports", key: "gone.csv"), previous: nil) else {
            Issue.record("missing object")
            return
        }
    }

    @Test("environment hand-offs spend no retry")
    func noRetry() {
        #expect(!HandoffReason.environment.spendsRetry)
    }
}
