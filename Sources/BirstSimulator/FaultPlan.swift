/// Fault injection for every operation: `all` applies unless `operations` has an
/// entry for the operation (by its wire name, e.g. `uploadData`), which replaces it.
public struct FaultPlan: Codable, Sendable, Hashable {
    public var all: FaultKnobs
    public var operations: [String: FaultKnobs]

    public init(all: FaultKnobs = .none, operations: [String: FaultKnobs] = [:]) {
        self.all = all
        self.operations = operations
    }

    public func knobs(for operation: String) -> FaultKnobs {
        operations[operation] ?? all
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(all: try c.value(.all, or: .none), operations: try c.value(.operations, or: [:]))
    }
}
