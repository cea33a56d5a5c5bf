import Curl

extension BirstClient {
    /// Logs in and out with a cookie jar of its own, in the caller's task: a health check
    /// that cancelling the caller ends at once. (A ``BirstSession`` shares one login among
    /// its callers in a task of its own, which a caller's cancellation does not stop; a
    /// worker's start-up check waiting on it ignored SIGTERM until `birst.callTimeout`.)
    ///
    /// - Throws: the login's ``BirstError`` (a cancelled call is `transient`); a failed
    ///   logout is ignored, the login token then expires on the server.
    public func checkLogin(_ credentials: BirstCredentials, deadline: Deadline) async throws(BirstError) {
        var redactor = Redactor([credentials.password])
        let login = await perform(.login(credentials), cookies: CookieJar(), deadline: deadline, redactor: redactor)
        let token = try AnswerReader.token(login.outcome.get(), .login)
        redactor.add(token)
        _ = await perform(.logout(token: token), cookies: login.cookies, deadline: deadline, redactor: redactor)
    }
}
