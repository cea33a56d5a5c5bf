import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed request element (namespace-resolved), built without ever honouring a DTD.
struct XMLElementTree: Sendable {
    var name: String
    var namespace: String?
    var children: [XMLElementTree] = []
    var text: String = ""

    struct ParseError: Error {
        var line: Int
        var column: Int
        var reason: String
    }

    /// Parses `bytes`. A DOCTYPE is refused the way .NET's XmlReader refuses one.
    static func parse(_ bytes: [UInt8]) throws(ParseError) -> XMLElementTree {
        if let position = declarationPosition(bytes) {
            throw ParseError(
                line: position.line, column: position.column,
                reason: "For security reasons DTD is prohibited in this XML document. To enable DTD processing set "
                    + "the DtdProcessing property on XmlReaderSettings to Parse and pass the settings into XmlReader.Create method.")
        }
        let builder = Builder()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let ok = parser.parse()
        guard ok, let root = builder.root else {
            let reason = parser.parserError.map { $0.localizedDescription } ?? "Root element is missing."
            throw ParseError(line: max(parser.lineNumber, 1), column: max(parser.columnNumber, 1), reason: reason)
        }
        return root
    }

    /// Line and column of the first `<!DOCTYPE` / `<!ENTITY`, if any.
    static func declarationPosition(_ bytes: [UInt8]) -> (line: Int, column: Int)? {
        let needles = [Array("<!DOCTYPE".utf8), Array("<!ENTITY".utf8)]
        var line = 1, column = 1
        for index in bytes.indices {
            if bytes[index] == UInt8(ascii: "<") {
                for needle in needles where index + needle.count <= bytes.count {
                    let window = bytes[index..<(index + needle.count)].map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
                    if window.elementsEqual(needle) { return (line, column + 1) }
                }
            }
            if bytes[index] == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return nil
    }

    func child(_ name: String, namespace: String?) -> XMLElementTree? {
        children.first { $0.name == name && $0.namespace == namespace }
    }
}

private final class Builder: NSObject, XMLParserDelegate {
    var stack: [XMLElementTree] = []
    var root: XMLElementTree?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        let namespace = (namespaceURI?.isEmpty ?? true) ? nil : namespaceURI
        stack.append(XMLElementTree(name: elementName, namespace: namespace))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let node = stack.popLast() else { return }
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if !stack.isEmpty { stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self) }
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        parser.abortParsing()
        return nil
    }
}
