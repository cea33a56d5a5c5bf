extension BirstClient {
    /// Where the Command Web Service is and how long a single call may take.
    public struct Configuration: Sendable, Hashable {
        /// Full URL of `CommandWebService.asmx`, e.g. `https://login.bws.birst.com/CommandWebService.asmx`.
        public var endpoint: String
        /// Upper bound for one HTTP exchange; each call uses min(this, time left to its deadline).
        public var requestTimeout: Duration
        /// Upper bound for establishing the connection.
        public var connectTimeout: Duration
        /// A call is not started when less than this is left before its deadline.
        public var minimumCallTime: Duration

        public init(
            endpoint: String,
            requestTimeout: Duration = .seconds(60),
            connectTimeout: Duration = .seconds(10),
            minimumCallTime: Duration = .milliseconds(20)
        ) {
            self.endpoint = endpoint
            self.requestTimeout = requestTimeout
            self.connectTimeout = connectTimeout
            self.minimumCallTime = minimumCallTime
        }
    }
}
