import BirstSimulator
import Testing

@Suite("birst-sim --fault: one vocabulary of knobs, errors that name the knob and the value")
struct FaultSpecTests {
    func apply(_ specs: String...) throws(FaultSpec.Problem) -> FaultPlan {
        var plan = FaultPlan()
        for spec in specs { try FaultSpec.apply(spec, to: &plan) }
        return plan
    }

    @Test("every knob by the name --config's KNOBS and PUT /admin/faults use")
    func everyKnob() throws {
        let plan = try apply(
            "uploadData:latencySeconds=250ms", "uploadData:dropConnectionRate=0.1", "uploadData:http500Rate=0.2",
            "uploadData:transientFaultRate=0.3", "uploadData:hostileXMLRate=0.4", "uploadData:dropResponseRate=0.5",
            "uploadData:delayAfterApplySeconds=2s", "uploadData:delayAfterApplyRate=0.6", "uploadData:delayAfterApplyCalls=3")
        #expect(plan.knobs(for: "uploadData") == FaultKnobs(
            latencySeconds: 0.25, dropConnectionRate: 0.1, http500Rate: 0.2, transientFaultRate: 0.3, hostileXMLRate: 0.4,
            dropResponseRate: 0.5, delayAfterApplySeconds: 2, delayAfterApplyCalls: 3, delayAfterApplyRate: 0.6))
        #expect(plan.knobs(for: "publishData") == .none)
        #expect(FaultSpec.knobs.map(\.name) == [
            "latencySeconds", "dropConnectionRate", "http500Rate", "transientFaultRate", "hostileXMLRate", "dropResponseRate",
            "delayAfterApplySeconds", "delayAfterApplyRate", "delayAfterApplyCalls",
        ])
    }

    @Test("the spellings the help once listed still work; `all` sets every operation's knobs")
    func olderSpellingsAndAll() throws {
        let plan = try apply("publishData:latency=2", "publishData:delayAfterApply=1m", "all:transientFaultRate=0.5")
        #expect(plan.knobs(for: "publishData").latencySeconds == 2)
        #expect(plan.knobs(for: "publishData").delayAfterApplySeconds == 60)
        #expect(plan.all.transientFaultRate == 0.5)
        #expect(plan.knobs(for: "uploadData").transientFaultRate == 0.5)
        #expect(plan.knobs(for: "publishData").transientFaultRate == 0.5, "`all` after an operation's own knobs sets that operation too")
        let later = try apply("all:transientFaultRate=0.5", "uploadData:transientFaultRate=0.1")
        #expect(later.knobs(for: "uploadData").transientFaultRate == 0.1, "a later flag for one operation wins there")
        #expect(later.knobs(for: "publishData").transientFaultRate == 0.5)
    }

    @Test("a bad spec is an error naming the knob and the value", arguments: [
        ("uploadData:transientFaultRate=high", #"--fault uploadData:transientFaultRate=high: transientFaultRate takes a rate from 0 to 1, got "high""#),
        ("uploadData:transientFaultRate=1.5", #"transientFaultRate takes a rate from 0 to 1, got "1.5""#),
        ("uploadData:delayAfterApplySeconds=soon", #"delayAfterApplySeconds takes a duration (500ms, 2s, 1m, 1h, or plain seconds), got "soon""#),
        ("uploadData:delayAfterApply=-1s", #"delayAfterApplySeconds takes a duration"#),
        ("uploadData:latencySeconds=", #"latencySeconds takes a duration (500ms, 2s, 1m, 1h, or plain seconds), got """#),
        ("uploadData:delayAfterApplyCalls=2.5", #"delayAfterApplyCalls takes a number of calls (0 or more), got "2.5""#),
        ("uploadData:latencyMs=5", #"unknown knob "latencyMs" (knobs: latencySeconds, dropConnectionRate"#),
        ("uplaodData:latencySeconds=1", #"unknown operation "uplaodData" (expected all or one of Login, Logout"#),
        ("transientFaultRate=0.2", "expected OPERATION:KNOB=VALUE, e.g. uploadData:transientFaultRate=0.2"),
    ])
    func badSpec(spec: String, message: String) {
        var plan = FaultPlan()
        do {
            try FaultSpec.apply(spec, to: &plan)
            Issue.record("\(spec) was applied")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
            #expect(error.description.hasPrefix("--fault \(spec): "), "\(error.description)")
        }
        #expect(plan == FaultPlan(), "nothing applied")
    }
}
