/// One HTTP request to `/CommandWebService.asmx`.
public struct CallRecord: Codable, Sendable, Hashable {
    public var sequence: Int
    /// The operation named by SOAPAction, when it named a known one.
    public var operation: String?
    /// The SOAPAction header exactly as received (nil when missing).
    public var soapAction: String?
    /// The simulated server that handled it.
    public var server: String
    /// Whether the request carried a valid affinity cookie.
    public var hadAffinityCookie: Bool
    /// HTTP status answered (0 when the connection was dropped).
    public var httpStatus: Int
    /// `faultstring` when the answer was a SOAP fault.
    public var fault: String?
    /// The fault injected, if any: `dropConnection`, `http500`, `transientFault`,
    /// `hostileXML`, `dropResponse`.
    public var injected: String?
    public var requestBytes: Int
    /// The request carried `Expect: 100-continue`. The simulator never sends the interim
    /// "100 Continue" (IIS does), so such a client waits out its own timeout (libcurl: 1 s).
    public var expectedContinue: Bool
    /// Birst-time seconds since the simulator started.
    public var at: Double
}
