/// The broker at `servers` did not answer a metadata request.
struct BrokerUnreachable: Error, CustomStringConvertible {
    var servers: String
    var error: String
    var description: String { "broker \(servers) unreachable: \(error)" }
}
