import Foundation

/// What a SOAP response body holds: the operation's answer or a fault.
enum SOAPResponse: Sendable {
    struct Fault: Sendable, Hashable {
        var code: String
        var string: String
        /// `detail/b:error/b:message`, when present.
        var detailMessage: String?
    }

    /// The `<OperationResponse>` element.
    case answer(XMLNode)
    case fault(Fault)

    struct Problem: Error { var reason: String }

    /// Reads an envelope. Throws when it is not a SOAP 1.1 envelope with a body
    /// holding either a Fault or `<operation>Response` in the Birst namespace.
    static func read(_ bytes: [UInt8], for operation: BirstOperation) throws(Problem) -> SOAPResponse {
        let root: XMLNode
        do { root = try SafeXMLParser.parse(bytes) } catch { throw Problem(reason: error.description) }
        let soap = BirstOperation.envelopeNamespace
        guard root.name == "Envelope", root.namespace == soap else {
            throw Problem(reason: "root element is not a SOAP 1.1 Envelope")
        }
        guard let body = root.child("Body", namespace: soap) else { throw Problem(reason: "no soap:Body") }
        guard let first = body.children.first else { throw Problem(reason: "empty soap:Body") }
        if first.name == "Fault", first.namespace == soap {
            let code = first.children.first { $0.name == "faultcode" }?.text ?? ""
            let string = first.children.first { $0.name == "faultstring" }?.text ?? ""
            let detail = first.children.first { $0.name == "detail" }?.descendant(named: "message")?.text
            return .fault(Fault(code: trim(code), string: string, detailMessage: detail))
        }
        let expected = operation.rawValue + "Response"
        guard first.name == expected, first.namespace == BirstOperation.namespace else {
            throw Problem(reason: "expected \(expected) in \(BirstOperation.namespace), got \(first.name) in \(first.namespace ?? "no namespace")")
        }
        return .answer(first)
    }

    private static func trim(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension XMLNode {
    /// `<operationResult>` of an answer, in the Birst namespace.
    func result(of operation: BirstOperation) -> XMLNode? {
        child(operation.rawValue + "Result", namespace: BirstOperation.namespace)
    }
}
