/// Writes SOAP 1.1 answers and faults in the shape ASP.NET produces.
enum SOAPWriter {
    static let envelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/"
    static let birstNamespace = "http://www.birst.com/"

    private static let head = #"<?xml version="1.0" encoding="utf-8"?>"#
        + #"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/""#
        + #" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">"#
        + "<soap:Body>"
    private static let tail = "</soap:Body></soap:Envelope>"

    static func answer(_ operation: String, _ result: OperationResult) -> String {
        let open = "<\(operation)Response xmlns=\"\(birstNamespace)\">"
        let close = "</\(operation)Response>"
        switch result {
        case .empty:
            return head + "<\(operation)Response xmlns=\"\(birstNamespace)\" />" + tail
        case .text(let value):
            return head + open + element("\(operation)Result", value) + close + tail
        case .fields(let fields):
            let inner = fields.map { element($0.0, $0.1) }.joined()
            return head + open + "<\(operation)Result>\(inner)</\(operation)Result>" + close + tail
        }
    }

    static func fault(_ fault: SOAPFault) -> String {
        var detail = "<detail />"
        if !fault.detailMessage.isEmpty {
            detail = "<detail><b:error xmlns:b=\"\(birstNamespace)\"><b:message>\(escape(fault.detailMessage))"
                + "</b:message></b:error></detail>"
        }
        return head + "<soap:Fault><faultcode>\(fault.code)</faultcode><faultstring>\(escape(fault.string))</faultstring>"
            + detail + "</soap:Fault>" + tail
    }

    /// A document a safe client must refuse: a DOCTYPE declaring an external entity.
    static func hostile(_ operation: String) -> String {
        #"<?xml version="1.0" encoding="utf-8"?><!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#
            + #"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>"#
            + "<\(operation)Response xmlns=\"\(birstNamespace)\"><\(operation)Result>&xxe;</\(operation)Result>"
            + "</\(operation)Response>" + tail
    }

    static func element(_ name: String, _ value: String) -> String {
        value.isEmpty ? "<\(name) />" : "<\(name)>\(escape(value))</\(name)>"
    }

    /// Text content the way .NET writes it: `&`, `<`, `>` (and CR) escaped, quotes not.
    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\r": out += "&#xD;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
