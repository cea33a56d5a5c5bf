/// What a finished transfer produced.
struct TransferResult: Sendable {
    /// HTTP status, or the last SMTP reply code.
    var status: Int
    var headers: [HTTPHeader]
    var body: [UInt8]
    /// The jar after the transfer, if the cookie engine was on.
    var cookies: CookieJar?
}
