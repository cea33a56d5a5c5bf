/// Fault injection for one operation (or all). Rates are probabilities in 0...1,
/// drawn independently per call in this order: latency, dropped connection, HTTP 500,
/// transient SOAP fault, hostile XML, then (after the call ran) dropped response.
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

    public init(
        latencySeconds: Double = 0, dropConnectionRate: Double = 0, http500Rate: Double = 0,
        transientFaultRate: Double = 0, hostileXMLRate: Double = 0, dropResponseRate: Double = 0
    ) {
        self.latencySeconds = latencySeconds
        self.dropConnectionRate = dropConnectionRate
        self.http500Rate = http500Rate
        self.transientFaultRate = transientFaultRate
        self.hostileXMLRate = hostileXMLRate
        self.dropResponseRate = dropResponseRate
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
            dropResponseRate: try c.value(.dropResponseRate, or: 0))
    }
}
