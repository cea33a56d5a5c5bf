import Hummingbird

/// Request context that keeps the connection, so the simulator can drop it.
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Closes the TCP connection without an answer.
    let dropConnection: @Sendable () -> Void

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        let channel = source.channel
        self.dropConnection = { channel.close(promise: nil) }
    }
}
