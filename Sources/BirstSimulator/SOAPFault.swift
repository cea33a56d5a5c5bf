/// A SOAP fault as ASP.NET writes it: HTTP 500, `faultcode`, `faultstring`
/// (`<operation>: <message>` for Birst's own errors) and `detail/b:error/b:message`.
struct SOAPFault: Error, Sendable {
    var code: String
    var string: String
    var detailMessage: String

    static func server(_ operation: String, _ message: String) -> SOAPFault {
        SOAPFault(code: "soap:Server", string: "\(operation): \(message)", detailMessage: message)
    }

    /// `… token <t> is not valid or has expired.`
    static func invalidToken(_ operation: String, _ token: String) -> SOAPFault {
        // The published example names isJobComplete's check `isComplete`.
        let name = operation == "isJobComplete" ? "isComplete" : operation
        return server(name, "token \(token) is not valid or has expired.")
    }

    static let transient = SOAPFault(
        code: "soap:Server",
        string: "Server was unable to process request. ---> System.Data.SqlClient.SqlException: Timeout expired. "
            + "The timeout period elapsed prior to completion of the operation or the server is not responding.",
        detailMessage: "Timeout expired.")

    /// .NET's XmlSerializer failing to read the request.
    static func unreadable(_ reason: String, line: Int = 1, column: Int = 1) -> SOAPFault {
        SOAPFault(
            code: "soap:Client",
            string: "Server was unable to read request. ---> There is an error in XML document (\(line), \(column)). ---> \(reason)",
            detailMessage: reason)
    }

    static let missingAction = SOAPFault(
        code: "soap:Client",
        string: "Unable to handle request without a valid action parameter. Please supply a valid soap action.",
        detailMessage: "")

    static func unknownAction(_ action: String) -> SOAPFault {
        SOAPFault(
            code: "soap:Client", string: "Server did not recognize the value of HTTP Header SOAPAction: \(action).",
            detailMessage: "")
    }

    static func versionMismatch(_ namespace: String) -> SOAPFault {
        SOAPFault(
            code: "soap:VersionMismatch",
            string: "Possible SOAP version mismatch: Envelope namespace \(namespace) was unexpected. "
                + "Expecting \(SOAPWriter.envelopeNamespace).",
            detailMessage: "")
    }
}
