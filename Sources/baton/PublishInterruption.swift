import Foundation
import Synchronization
import UnixSignals

/// Ctrl-C or SIGTERM during `baton publish`. Before publishing starts, nothing has been sent:
/// the process ends at once. While publishing, the producer is shut down at once, so the
/// publish call returns with what the broker did and did not acknowledge.
final class PublishInterruption: Sendable {
    private enum Phase {
        case preparing
        case publishing(@Sendable () async -> Void)
        case finished
    }

    private struct State {
        var phase = Phase.preparing
        var caught: UnixSignal?
    }

    private final class Storage: Sendable {
        let state = Mutex(State())
    }

    private let storage = Storage()
    private let watcher: Task<Void, Never>

    /// - Parameter early: a signal that arrived before `signals` existed: the process ends
    ///   at once, as nothing has been sent yet.
    init(signals: UnixSignalsSequence, early: Int32?) {
        if let early {
            Self.interruptedBeforeSending(UnixSignal.named(early))
        }
        let storage = self.storage
        watcher = Task {
            for await signal in signals {
                // The first signal decides; later ones find the work already under way.
                let phase: Phase? = storage.state.withLock { state in
                    guard state.caught == nil else { return nil }
                    state.caught = signal
                    return state.phase
                }
                switch phase {
                case .preparing:
                    Self.interruptedBeforeSending(signal)
                case .publishing(let stop):
                    await stop()
                case .finished, nil:
                    break
                }
            }
        }
    }

    deinit { watcher.cancel() }

    private static func interruptedBeforeSending(_ signal: UnixSignal) -> Never {
        printError("baton publish: interrupted by \(signal) before anything was sent; nothing was published")
        exit(128 + signal.rawValue)
    }

    /// Publishing starts: a signal from now on runs `stop`. (One that came while preparing
    /// already ended the process.)
    func whilePublishing(_ stop: @escaping @Sendable () async -> Void) {
        storage.state.withLock { $0.phase = .publishing(stop) }
    }

    /// Every record was acknowledged: a signal no longer changes anything.
    func finished() {
        storage.state.withLock { $0.phase = .finished }
    }

    /// The signal that interrupted publishing, if one did.
    var caught: UnixSignal? { storage.state.withLock { $0.caught } }
}
