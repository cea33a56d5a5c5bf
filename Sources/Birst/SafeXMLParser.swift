import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses XML into an `XMLNode` tree, refusing any document type declaration
/// (so no entity can be declared: no external entities, no entity expansion bombs).
enum SafeXMLParser {
    struct Refusal: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    static func parse(_ bytes: [UInt8]) throws(Refusal) -> XMLNode {
        if containsDeclaration(bytes) {
            throw Refusal(description: "the document contains a DOCTYPE or ENTITY declaration; refused")
        }
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let ok = parser.parse()
        if let refusal = builder.refusal { throw Refusal(description: refusal) }
        guard ok, let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "unknown error"
            throw Refusal(description: "not well-formed XML (line \(parser.lineNumber)): \(reason)")
        }
        return root
    }

    /// `<!DOCTYPE` or `<!ENTITY`, any case, anywhere: a SOAP message never needs one.
    static func containsDeclaration(_ bytes: [UInt8]) -> Bool {
        let needles: [[UInt8]] = [Array("<!DOCTYPE".utf8), Array("<!ENTITY".utf8)]
        guard bytes.count >= 8 else { return false }
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "<") {
                for needle in needles where index + needle.count <= bytes.count {
                    var match = true
                    for offset in 1..<needle.count {
                        let byte = bytes[index + offset]
                        let upper = (byte >= 0x61 && byte <= 0x7A) ? byte - 0x20 : byte
                        if upper != needle[offset] { match = false; break }
                    }
                    if match { return true }
                }
            }
            index += 1
        }
        return false
    }
}

/// XMLParser delegate that builds the tree; it aborts on any declaration callback.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var root: XMLNode?
    var refusal: String?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        let namespace = (namespaceURI?.isEmpty ?? true) ? nil : namespaceURI
        stack.append(XMLNode(name: elementName, namespace: namespace))
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        guard let node = stack.popLast() else { return }
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        refuse(parser, "entity declaration")
    }

    func parser(
        _ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?,
        systemID: String?
    ) {
        refuse(parser, "external entity declaration")
    }

    func parser(_ parser: XMLParser, foundUnparsedEntityDeclarationWithName name: String,
                publicID: String?, systemID: String?, notationName: String?) {
        refuse(parser, "unparsed entity declaration")
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        refuse(parser, "external entity reference")
        return nil
    }

    private func refuse(_ parser: XMLParser, _ what: String) {
        if refusal == nil { refusal = "the document contains an \(what); refused" }
        parser.abortParsing()
    }
}
