/// A request body read the way ASP.NET reads it: SOAPAction picks the operation, the
/// body must hold that operation's element in the Birst namespace, and (stricter than
/// ASP.NET, as birst-api.md asks) every parameter element must be present.
struct SOAPCall: Sendable {
    var operation: Operation
    var texts: [String: String] = [:]
    var lists: [String: [String]] = [:]

    func text(_ name: String) -> String { texts[name] ?? "" }
    func list(_ name: String) -> [String] { lists[name] ?? [] }

    /// The operation named by a SOAPAction header value (quotes optional, as in ASP.NET).
    static func operation(forAction action: String?) throws(SOAPFault) -> Operation {
        guard let raw = action else { throw SOAPFault.missingAction }
        var value = Substring(raw.trimmingSpaces)
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
        guard !value.isEmpty else { throw SOAPFault.missingAction }
        guard value.hasPrefix(SOAPWriter.birstNamespace),
            let operation = Operation(rawValue: String(value.dropFirst(SOAPWriter.birstNamespace.count)))
        else { throw SOAPFault.unknownAction(String(value)) }
        return operation
    }

    static func read(_ bytes: [UInt8], as operation: Operation) throws(SOAPFault) -> SOAPCall {
        let root: XMLElementTree
        do { root = try XMLElementTree.parse(bytes) } catch {
            throw SOAPFault.unreadable(error.reason, line: error.line, column: error.column)
        }
        guard root.name == "Envelope" else {
            throw SOAPFault.unreadable("<\(root.name) xmlns='\(root.namespace ?? "")'> was not expected.")
        }
        guard root.namespace == SOAPWriter.envelopeNamespace else {
            throw SOAPFault.versionMismatch(root.namespace ?? "")
        }
        guard let body = root.child("Body", namespace: SOAPWriter.envelopeNamespace), let element = body.children.first
        else { throw SOAPFault.unreadable("Root element is missing.") }
        guard element.name == operation.rawValue, element.namespace == SOAPWriter.birstNamespace else {
            throw SOAPFault.unreadable("<\(element.name) xmlns='\(element.namespace ?? "")'> was not expected.")
        }
        var call = SOAPCall(operation: operation)
        for parameter in operation.parameters {
            guard let child = element.child(parameter.name, namespace: SOAPWriter.birstNamespace) else {
                throw SOAPFault.unreadable(
                    "Element <\(parameter.name) xmlns='\(SOAPWriter.birstNamespace)'> is missing from <\(operation.rawValue)>.")
            }
            switch parameter.kind {
            case .text: call.texts[parameter.name] = child.text
            case .strings:
                call.lists[parameter.name] = child.children
                    .filter { $0.name == "string" && $0.namespace == SOAPWriter.birstNamespace }.map(\.text)
            }
        }
        return call
    }
}

extension String {
    /// Without leading and trailing whitespace. Indices, not reversed copies: this runs on
    /// every call's SOAPAction header, and the reversed copies were an eighth of the
    /// simulator's CPU at 4,000 calls/s (issue 10).
    var trimmingSpaces: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
