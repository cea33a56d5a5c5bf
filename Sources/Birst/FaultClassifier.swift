/// Maps a SOAP fault to a `BirstError.Kind`, following the table in birst-api.md.
enum FaultClassifier {
    static func kind(of fault: SOAPResponse.Fault) -> BirstError.Kind {
        let text = fault.string
        if text.contains("is not valid or has expired") { return .invalidToken }
        if text.hasPrefix("Server was unable to process request") { return .transient }
        if text.contains("Validation failure") { return .badCredentials }
        if text.contains("Failed web service login request for user")
            || text.contains("Failed web services login attempt for user")
        {
            return .badCredentials
        }
        return .fault
    }
}
