/// The mail relay for outcome notifications. No URL means e-mail is off.
public struct SMTPSettings: Sendable, Equatable {
    public var url: String?
    public var from: String
    public var username: String?
    public var password: String?
    public var timeout: Duration

    static func load(_ settings: SettingsReader) throws -> SMTPSettings {
        SMTPSettings(
            url: settings.string("smtp.url"),
            from: settings.string("smtp.from", default: "baton@localhost"),
            username: settings.string("smtp.username"),
            password: try settings.secret("smtp.password"),
            timeout: try settings.duration("smtp.timeout", default: .seconds(30), minimum: .milliseconds(100))
        )
    }
}
