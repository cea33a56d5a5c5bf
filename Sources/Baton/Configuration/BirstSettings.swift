/// How workers reach Birst's Command Web Service.
public struct BirstSettings: Sendable, Equatable {
    public var endpoint: String
    public var username: String?
    /// Read from `BATON_BIRST_PASSWORD` or `birst.passwordFile` only.
    public var password: String?
    /// The timeout of each SOAP call, independent of the slice budget: calls that change
    /// Birst run to it rather than being cut by the slice's deadline, so a slice overruns
    /// its (soft) budget by at most this much.
    public var callTimeout: Duration
    /// The timeout of `publishData` alone, longer than `callTimeout`: a publish whose
    /// answer is lost can never be confirmed nor repeated (the job ends `unconfirmed`),
    /// so it is given every chance to answer. The slice overruns its budget by at most this.
    public var publishTimeout: Duration
    /// Raw bytes per `uploadData` call.
    public var chunkSize: Int
    public var pollInterval: Duration
    /// Connections open to the Birst host at most (`birst.maximumConnections`); calls
    /// beyond them wait their turn in the worker. Every job waiting for a publish polls
    /// once per ``pollInterval``, so N such jobs need about N × round trip / interval of
    /// them: 20,000 jobs at 5 s and a 10 ms round trip, 40.
    public var maximumConnections: Int = 64

    static func load(_ settings: SettingsReader) throws -> BirstSettings {
        BirstSettings(
            endpoint: settings.string("birst.endpoint", default: "https://login.bws.birst.com/CommandWebService.asmx"),
            username: settings.string("birst.username"),
            password: try settings.secret("birst.password"),
            callTimeout: try settings.duration("birst.callTimeout", default: .seconds(60), minimum: .milliseconds(100)),
            publishTimeout: try settings.duration("birst.publishTimeout", default: .seconds(120), minimum: .milliseconds(100)),
            chunkSize: try settings.byteCount("birst.chunkSize", default: 1 << 20, range: 1024...(64 << 20)),
            pollInterval: try settings.duration("birst.pollInterval", default: .seconds(15), minimum: .milliseconds(10)),
            maximumConnections: try settings.int("birst.maximumConnections", default: 64, range: 1...1024)
        )
    }

    /// The credentials, or an error naming the missing setting: only commands that talk
    /// to Birst ask for them.
    public func credentials() throws -> (username: String, password: String) {
        guard let username else {
            throw ConfigurationError(key: "birst.username", message: "required to log in to Birst but not set")
        }
        guard let password else {
            throw ConfigurationError(
                key: "birst.password",
                message: "required secret to log in to Birst is not set; set BATON_BIRST_PASSWORD or birst.passwordFile"
            )
        }
        return (username, password)
    }
}
