import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The first SIGTERM or SIGINT that reaches a command that handles them (`worker`,
/// `publish`) before its own handler is in place — while it parses its arguments and starts
/// its signal sources — so that even such a signal stops the command cleanly instead of
/// killing it without a word (exit 143/130).
///
/// Blocking the signals would not do: Dispatch parks the main thread in `sigsuspend` with
/// an empty mask, where a blocked signal is delivered anyway. So a handler records the
/// signal until the command's `UnixSignalsSequence` (Dispatch) replaces the handler and the
/// command asks ``caught()``. Only the dynamic loading before `main` (a few milliseconds)
/// remains unguarded.
enum EarlySignals {
    /// The subcommands that install their own SIGTERM/SIGINT handling.
    static let handlingCommands: Set<String> = ["worker", "publish"]

    /// Installs the recording handler for SIGTERM and SIGINT if `arguments` run one of
    /// ``handlingCommands``. Call first thing in `main`.
    static func recordIfHandled(arguments: [String]) {
        guard let command = arguments.dropFirst().first, handlingCommands.contains(command) else { return }
        earlySignal.store(0, ordering: .relaxed)  // initialise the global outside the handler
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            // Async-signal-safe: one lock-free atomic store; the first signal wins.
            _ = earlySignal.compareExchange(expected: 0, desired: signal, ordering: .relaxed)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
    }

    /// The signal recorded before the command's own handler took over, if any. Call once the
    /// command's `UnixSignalsSequence` exists (later signals go to it).
    static func caught() -> Int32? {
        let signal = earlySignal.load(ordering: .relaxed)
        return signal == 0 ? nil : signal
    }
}

/// Written only by `EarlySignals`' handler.
private let earlySignal = Atomic<Int32>(0)
