import Baton
import Dispatch
import Foundation

/// SIGINT and SIGTERM fire a ``StopSignal`` (the command then ends cleanly); a second
/// signal ends the process at once.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]
    let stop = StopSignal()

    init() {
        let stop = self.stop
        sources = [SIGINT, SIGTERM].map { number in
            #if canImport(Darwin)
                // kqueue delivers signals only if the default action is off; on Linux,
                // Dispatch installs its own handler, and an ignored signal never reaches it.
                signal(number, SIG_IGN)
            #endif
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stop.reason != nil { exit(128 + number) }
                stop.fire(.shutdown)
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
