/// A parsed XML element: namespace-resolved name, children, and its own text.
struct XMLNode: Sendable, Hashable {
    var name: String
    var namespace: String?
    var children: [XMLNode] = []
    var text: String = ""

    func child(_ name: String, namespace: String?) -> XMLNode? {
        children.first { $0.name == name && $0.namespace == namespace }
    }

    /// First descendant (depth first) with this local name, any namespace.
    func descendant(named name: String) -> XMLNode? {
        for child in children {
            if child.name == name { return child }
            if let found = child.descendant(named: name) { return found }
        }
        return nil
    }
}
