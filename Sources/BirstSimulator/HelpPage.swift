/// What `GET /CommandWebService.asmx` shows, like ASP.NET's service help page.
enum HelpPage {
    static var html: String {
        let items = Operation.allCases.map { operation in
            "<li>\(operation.rawValue)(\(operation.parameters.map(\.name).joined(separator: ", ")))</li>"
        }.joined()
        return "<html><head><title>CommandWebService (Baton Birst simulator)</title></head><body>"
            + "<h1>CommandWebService</h1><p>SOAP 1.1, namespace http://www.birst.com/. Operations:</p>"
            + "<ul>\(items)</ul><p>Admin: GET /admin/inspect, GET|PUT /admin/settings, GET|PUT /admin/faults, "
            + "POST /admin/clock/advance, POST /admin/servers/restart.</p></body></html>"
    }
}
