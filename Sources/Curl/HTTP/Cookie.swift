/// One Netscape cookie line, parsed.
struct Cookie: Hashable {
    var domain: String
    var path: String
    var name: String
    var value: String

    init?(line: String) {
        if line.hasPrefix("#"), !line.hasPrefix("#HttpOnly_") { return nil }
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        // curl writes seven fields; a cookie with an empty value may lose the last one.
        guard fields.count == 7 || fields.count == 6 else { return nil }
        var domain = String(fields[0])
        if domain.hasPrefix("#HttpOnly_") { domain.removeFirst("#HttpOnly_".count) }
        guard !domain.isEmpty, !fields[5].isEmpty else { return nil }
        self.domain = domain
        self.path = String(fields[2])
        self.name = String(fields[5])
        self.value = fields.count == 7 ? String(fields[6]) : ""
    }
}
