/// `baton birst-sim --fault OPERATION:KNOB=VALUE`: one knob of ``FaultKnobs`` for one
/// operation (by its wire name, e.g. `uploadData`), or for every operation (`all`). Knobs
/// have the names of ``FaultKnobs``'s fields, the keys of the JSON configuration and of
/// `PUT /admin/faults`, so one vocabulary serves all three.
public enum FaultSpec {
    /// A knob: its name, and what its value is read as.
    public struct Knob: Sendable {
        public var name: String
        public var takes: String
        let set: @Sendable (inout FaultKnobs, String) -> Bool
    }

    /// Every knob `--fault` sets, in ``FaultKnobs``'s order.
    public static let knobs: [Knob] = [
        Knob(name: "latencySeconds", takes: duration) { knobs, text in set(&knobs.latencySeconds, text.duration) },
        Knob(name: "dropConnectionRate", takes: rate) { knobs, text in set(&knobs.dropConnectionRate, text.rate) },
        Knob(name: "http500Rate", takes: rate) { knobs, text in set(&knobs.http500Rate, text.rate) },
        Knob(name: "transientFaultRate", takes: rate) { knobs, text in set(&knobs.transientFaultRate, text.rate) },
        Knob(name: "hostileXMLRate", takes: rate) { knobs, text in set(&knobs.hostileXMLRate, text.rate) },
        Knob(name: "dropResponseRate", takes: rate) { knobs, text in set(&knobs.dropResponseRate, text.rate) },
        Knob(name: "delayAfterApplySeconds", takes: duration) { knobs, text in set(&knobs.delayAfterApplySeconds, text.duration) },
        Knob(name: "delayAfterApplyRate", takes: rate) { knobs, text in set(&knobs.delayAfterApplyRate, text.rate) },
        Knob(name: "delayAfterApplyCalls", takes: "a number of calls (0 or more)") { knobs, text in
            guard let calls = Int(text), calls >= 0 else { return false }
            knobs.delayAfterApplyCalls = calls
            return true
        },
    ]

    /// Spellings the help once listed, still read: `latency`, `delayAfterApply`.
    public static let olderSpellings = ["latency": "latencySeconds", "delayAfterApply": "delayAfterApplySeconds"]

    static let duration = "a duration (500ms, 2s, 1m, 1h, or plain seconds)"
    static let rate = "a rate from 0 to 1"

    /// Why a `--fault` cannot be applied, naming the spec, and the knob and value when those
    /// are what is wrong.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Sets the knob `spec` names in `plan`: on the operation's own knobs (starting from
    /// `plan.all` when it has none yet), or for `all` on `plan.all` and on every operation
    /// that has knobs of its own, so that flags apply in the order given.
    public static func apply(_ spec: String, to plan: inout FaultPlan) throws(Problem) {
        guard let colon = spec.firstIndex(of: ":"), let equals = spec.firstIndex(of: "="), colon < equals else {
            throw Problem(description: "--fault \(spec): expected OPERATION:KNOB=VALUE, e.g. uploadData:transientFaultRate=0.2")
        }
        let operation = String(spec[..<colon])
        let name = String(spec[spec.index(after: colon)..<equals])
        let value = String(spec[spec.index(after: equals)...])
        let operations = Operation.allCases.map(\.rawValue)
        guard operation == "all" || operations.contains(operation) else {
            throw Problem(description: "--fault \(spec): unknown operation \"\(operation)\" (expected all or one of \(operations.joined(separator: ", ")))")
        }
        let canonical = olderSpellings[name] ?? name
        guard let knob = knobs.first(where: { $0.name == canonical }) else {
            throw Problem(description: "--fault \(spec): unknown knob \"\(name)\" (knobs: \(knobs.map(\.name).joined(separator: ", ")))")
        }
        var knobs = operation == "all" ? plan.all : plan.knobs(for: operation)
        guard knob.set(&knobs, value) else {
            throw Problem(description: "--fault \(spec): \(knob.name) takes \(knob.takes), got \"\(value)\"")
        }
        if operation == "all" {
            plan.all = knobs
            // `all` sets every operation, also those an earlier --fault gave knobs of their
            // own: the flags apply in order, whichever came first.
            for (name, var own) in plan.operations {
                _ = knob.set(&own, value)
                plan.operations[name] = own
            }
        } else {
            plan.operations[operation] = knobs
        }
    }

    private static func set(_ field: inout Double, _ value: Double?) -> Bool {
        guard let value else { return false }
        field = value
        return true
    }
}

extension String {
    /// A probability in 0...1.
    fileprivate var rate: Double? {
        guard let value = Double(self), (0...1).contains(value) else { return nil }
        return value
    }

    /// Seconds: `500ms`, `15s`, `5m`, `1h`, or a plain number of seconds; never negative.
    fileprivate var duration: Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        let (number, factor) = units.first { hasSuffix($0.0) }.map { (String(dropLast($0.0.count)), $0.1) } ?? (self, 1)
        guard let value = Double(number), value >= 0, value.isFinite else { return nil }
        return value * factor
    }
}
