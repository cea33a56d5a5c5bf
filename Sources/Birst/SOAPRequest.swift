/// One SOAP 1.1 document/literal request: the operation and its parameters in
/// wire order. Values marked secret are redacted from descriptions.
struct SOAPRequest: Sendable, CustomStringConvertible {
    enum Value: Sendable {
        case text(String)
        case secret(String)
        case strings([String])
    }

    struct Parameter: Sendable {
        var name: String
        var value: Value
    }

    var operation: BirstOperation
    var parameters: [Parameter]

    init(_ operation: BirstOperation, _ parameters: [(String, Value)]) {
        self.operation = operation
        self.parameters = parameters.map { Parameter(name: $0.0, value: $0.1) }
    }

    /// The login token the request carries (its `token` parameter), nil for `Login`.
    var loginToken: String? {
        for parameter in parameters where parameter.name == "token" {
            if case .secret(let token) = parameter.value { return token }
        }
        return nil
    }

    /// The complete envelope, UTF-8. Every parameter element is written, even when empty.
    func envelope() throws(BirstError) -> [UInt8] {
        var xml = #"<?xml version="1.0" encoding="utf-8"?>"#
        xml += #"<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#
        xml += #" xmlns:xsd="http://www.w3.org/2001/XMLSchema""#
        xml += #" xmlns:soap="\#(BirstOperation.envelopeNamespace)"><soap:Body>"#
        xml += "<\(operation.rawValue) xmlns=\"\(BirstOperation.namespace)\">"
        for parameter in parameters {
            switch parameter.value {
            case .text(let value), .secret(let value):
                xml += try element(parameter.name, value)
            case .strings(let values) where values.isEmpty:
                xml += "<\(parameter.name) />"
            case .strings(let values):
                xml += "<\(parameter.name)>"
                for value in values { xml += try element("string", value) }
                xml += "</\(parameter.name)>"
            }
        }
        xml += "</\(operation.rawValue)></soap:Body></soap:Envelope>"
        return Array(xml.utf8)
    }

    private func element(_ name: String, _ value: String) throws(BirstError) -> String {
        guard let escaped = XMLText.escape(value) else {
            throw BirstError(
                kind: .invalidRequest, operation: operation,
                message: "parameter \(name) holds a character that XML 1.0 cannot carry")
        }
        return "<\(name)>\(escaped)</\(name)>"
    }

    var description: String {
        let shown = parameters.map { parameter -> String in
            switch parameter.value {
            case .secret: "\(parameter.name)=<redacted>"
            case .text(let value) where value.count > 64: "\(parameter.name)=<\(value.utf8.count) bytes>"
            case .text(let value): "\(parameter.name)=\(value)"
            case .strings(let values): "\(parameter.name)=\(values)"
            }
        }
        return "\(operation.rawValue)(\(shown.joined(separator: ", ")))"
    }
}
