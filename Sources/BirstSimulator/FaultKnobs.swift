/// Fault injection for one operation (or all). Rates are probabilities in 0...1,
/// drawn independently per call in this order: latency, dropped connection, HTTP 500,
/// transient SOAP fault, hostile XML, then (after the call ran) the delayed answer and
/// dropped response.
public struct FaultKnobs: Codable, Sendable, Hashable {
    /// Wall-clock seconds added before answering (never scaled: it exercises HTTP timeouts).
    public var latencySeconds: Double
    /// Close the connection before the call runs (nothing happens, no answer).
    public var dropConnectionRate: Double
    /// Answer a plain HTTP 500 (HTML, no SOAP fault) without running the call.
    public var http500Rate: Double
    /// Answer the SOAP fault `Server was unable to process request. ---> …` without running the call.
    public var transientFaultRate: Double
    /// Answer HTTP 200 with a DOCTYPE declaring an external entity (clients must refuse it).
    public var hostileXMLRate: Double
    /// Run the call, then close the connection instead of answering (the answer is lost).
    public var dropResponseRate: Double
    /// Wall-clock seconds to wait after the call ran (its effect is applied) before
    /// answering. With a client timeout shorter than this, the call is "applied, then timed
    /// out" every time, on whatever connection it arrived (new or reused keep-alive).
    /// Never scaled by the time scale. Change it at runtime with `PUT /admin/faults`.
    public var delayAfterApplySeconds: Double
    /// How many more calls get `delayAfterApplySeconds` (each delayed call counts one
    /// down); nil delays every call. Lets a test delay exactly the first N chunks.
    public var delayAfterApplyCalls: Int?
    /// The probability (0...1) that a call gets `delayAfterApplySeconds`, drawn per call;
    /// 1 (the default) delays every call. Calls drawn out do not count down
    /// `delayAfterApplyCalls`.
    public var delayAfterApplyRate: Double

    public init(
        latencySeconds: Double = 0, dropConnectionRate: Double = 0, http500Rate: Double = 0,
        transientFaultRate: Double = 0, hostileXMLRate: Double = 0, dropResponseRate: Double = 0,
        delayAfterApplySeconds: Double = 0, delayAfterApplyCalls: Int? = nil, delayAfterApplyRate: Double = 1
    ) {
        self.latencySeconds = latencySeconds
        self.dropConnectionRate = dropConnectionRate
        self.http500Rate = http500Rate
        self.transientFaultRate = transientFaultRate
        self.hostileXMLRate = hostileXMLRate
        self.dropResponseRate = dropResponseRate
        self.delayAfterApplySeconds = delayAfterApplySeconds
        self.delayAfterApplyCalls = delayAfterApplyCalls
        self.delayAfterApplyRate = delayAfterApplyRate
    }

    public static let none = FaultKnobs()

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            latencySeconds: try c.value(.latencySeconds, or: 0),
            dropConnectionRate: try c.value(.dropConnectionRate, or: 0),
            http500Rate: try c.value(.http500Rate, or: 0),
            transientFaultRate: try c.value(.transientFaultRate, or: 0),
            hostileXMLRate: try c.value(.hostileXMLRate, or: 0),
            dropResponseRate: try c.value(.dropResponseRate, or: 0),
            delayAfterApplySeconds: try c.value(.delayAfterApplySeconds, or: 0),
            delayAfterApplyCalls: try c.decodeIfPresent(Int.self, forKey: .delayAfterApplyCalls),
            delayAfterApplyRate: try c.value(.delayAfterApplyRate, or: 1))
    }
}
